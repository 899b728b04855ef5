# Turns the preset TOML files into a C++ source so the engine carries them
# without Qt resources. Run with -DOUT=... -DNAMES=a;b -DDIR=...
set(body "// generated from resources/presets by cmake/EmbedPresets.cmake; do not edit\n#include <string_view>\n#include <utility>\n#include <vector>\nnamespace spikecube {\nconst std::vector<std::pair<std::string_view, std::string_view>>& embedded_presets() {\n  static const std::vector<std::pair<std::string_view, std::string_view>> presets = {\n")
string(REPLACE "," ";" NAMES "${NAMES}")
foreach(name IN LISTS NAMES)
  file(READ "${DIR}/${name}.toml" text)
  string(APPEND body "    {\"${name}\", R\"SPIKECUBE_PRESET(${text})SPIKECUBE_PRESET\"},\n")
endforeach()
string(APPEND body "  };\n  return presets;\n}\n}  // namespace spikecube\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
