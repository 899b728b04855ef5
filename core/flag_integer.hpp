#pragma once
// Integers given on a command line (--seed, --steps, --threads and the GUI's
// flags), checked against the range of the config key they set, with the
// config's wording: "--seed: -1 is out of range; expected an integer in
// [0, 1000000000000000000]". A negative number never wraps into a huge
// unsigned one, and a number too large for 64 bits is refused, not clamped.

#include <cstdint>
#include <string_view>

namespace spikecube {

// Parses text as a decimal integer in [min, max]; throws ConfigError
// "FLAG: ..." otherwise. max >= 1e12 reads "inf" (as run.steps does).
std::int64_t parse_flag_integer(std::string_view flag, std::string_view text, std::int64_t min, std::int64_t max);

// The same with the range of a config key, e.g. ("--steps", "12", "run.steps").
std::int64_t parse_flag_for_key(std::string_view flag, std::string_view text, std::string_view key);

}  // namespace spikecube
