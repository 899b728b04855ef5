#include "core/flag_integer.hpp"

#include <charconv>
#include <string>

#include "core/config.hpp"

namespace spikecube {

std::int64_t parse_flag_integer(std::string_view flag, std::string_view text, std::int64_t min, std::int64_t max) {
  const std::string range =
      "an integer in [" + std::to_string(min) + ", " +
      (max >= static_cast<std::int64_t>(1e12) && max != static_cast<std::int64_t>(1e18) ? std::string("inf)")
                                                                                        : std::to_string(max) + "]");
  const std::string shown(text.substr(0, 40));
  std::int64_t v = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (!text.empty() && text.front() == '+') ++begin;
  const auto [p, ec] = std::from_chars(begin, end, v);
  if (ec == std::errc::result_out_of_range) {
    throw ConfigError(std::string(flag) + ": " + shown + " is out of range; expected " + range);
  }
  if (text.empty() || ec != std::errc() || p != end) {
    throw ConfigError(std::string(flag) + ": \"" + shown + "\" is not an integer; expected " + range);
  }
  if (v < min || v > max)
    throw ConfigError(std::string(flag) + ": " + std::to_string(v) + " is out of range; expected " + range);
  return v;
}

std::int64_t parse_flag_for_key(std::string_view flag, std::string_view text, std::string_view key) {
  const ParamSpec* spec = find_param(key);
  if (!spec) throw ConfigError(std::string(key) + ": unknown key");
  return parse_flag_integer(flag, text, static_cast<std::int64_t>(spec->min), static_cast<std::int64_t>(spec->max));
}

}  // namespace spikecube
