// libFuzzer target: the TOML config loader. Any input must either parse into
// a config that validates and round-trips through to_toml, or raise
// ConfigError; anything else (crash, other exception, sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const spikecube::Config cfg = spikecube::parse_config(text, "fuzz");
    spikecube::validate(cfg);
    // what we write we must read back
    const spikecube::Config again = spikecube::parse_config(spikecube::to_toml(cfg), "fuzz round trip");
    if (spikecube::to_toml(again) != spikecube::to_toml(cfg)) __builtin_trap();
  } catch (const spikecube::ConfigError&) {}
  return 0;
}
