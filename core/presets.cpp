#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"

namespace spikecube {

// defined in the generated presets_data.cpp
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_presets();

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& [name, text] : embedded_presets()) names.emplace_back(name);
  return names;
}

std::string_view preset_text(std::string_view name) {
  for (const auto& [n, text] : embedded_presets()) {
    if (n == name) return text;
  }
  std::string list;
  for (const auto& n : preset_names()) list += (list.empty() ? "" : ", ") + n;
  throw ConfigError("--preset " + std::string(name) + ": unknown preset; expected one of {" + list + "}");
}

Config load_preset(std::string_view name) { return parse_config(preset_text(name), "preset " + std::string(name)); }

}  // namespace spikecube
