#pragma once
// Limits checked on config text before the TOML parser sees it. toml++
// recurses on nested arrays, inline tables and dotted keys; a hostile file
// (100,000 nested brackets or a key with 100,000 parts) would exhaust its
// stack. Real configs are a few kB with keys of two parts, so the limits
// below never bite on them.

#include <cstddef>
#include <string_view>

namespace spikecube {

inline constexpr std::size_t kMaxConfigBytes = 1 << 20;  // 1 MiB
inline constexpr int kMaxConfigNesting = 16;             // [ and { inside a value
inline constexpr int kMaxConfigKeyParts = 8;             // a.b.c in one key or table header
inline constexpr std::size_t kMaxConfigKeyBytes = 256;   // one key part

// Throws ConfigError "SOURCE:LINE: ..." naming the limit when text exceeds
// one of them. Strings and comments are skipped, so their content is free.
void check_config_limits(std::string_view text, std::string_view source);

}  // namespace spikecube
