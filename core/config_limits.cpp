#include "core/config_limits.hpp"

#include <string>

#include "core/config.hpp"

namespace spikecube {

void check_config_limits(std::string_view text, std::string_view source) {
  int line = 1;
  auto fail = [&](const std::string& what) {
    throw ConfigError(std::string(source) + ":" + std::to_string(line) + ": " + what);
  };
  if (text.size() > kMaxConfigBytes) {
    line = 0;
    throw ConfigError(std::string(source) + ": " + std::to_string(text.size()) + " bytes; a config may hold at most " +
                      std::to_string(kMaxConfigBytes) + " bytes");
  }
  int depth = 0;           // open [ and { of the current value
  bool at_key = true;      // before '=' on this line (or in a table header)
  bool in_header = false;  // inside [table] or [[table]]
  int key_parts = 1;
  std::size_t part_bytes = 0;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      if (depth == 0) {  // a value spanning lines keeps its brackets open
        at_key = true;
        in_header = false;
        key_parts = 1;
        part_bytes = 0;
      }
      continue;
    }
    if (c == '#') {  // comment to end of line
      while (i + 1 < n && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      // skip a string: basic ("..." with escapes), literal ('...') or multi-line (""" / ''')
      const bool multi = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      std::size_t j = i + (multi ? 3 : 1);
      std::size_t len = 0;
      for (; j < n; ++j, ++len) {
        if (text[j] == '\n') {
          if (!multi) break;  // unterminated: the parser reports it
          ++line;
        }
        if (c == '"' && text[j] == '\\') {
          ++j;
          continue;
        }
        if (text[j] == c && (!multi || (j + 2 < n && text[j + 1] == c && text[j + 2] == c))) break;
      }
      if (at_key && len > kMaxConfigKeyBytes) {
        fail("a key of " + std::to_string(len) + " characters; at most " + std::to_string(kMaxConfigKeyBytes) +
             " are allowed");
      }
      if (j >= n) break;               // unterminated at the end: the parser reports it
      if (text[j] == '\n') i = j - 1;  // unterminated on this line: the loop counts the line
      else i = multi ? j + 2 : j;      // on the closing quote(s)
      continue;
    }
    if (at_key) {
      if (c == '=' && !in_header) {
        at_key = false;
        continue;
      }
      if (c == '[' && !in_header && part_bytes == 0 && key_parts == 1) {
        in_header = true;
        continue;
      }
      if (c == ']' && in_header) continue;
      if (c == '.') {
        if (++key_parts > kMaxConfigKeyParts) {
          fail("a key with more than " + std::to_string(kMaxConfigKeyParts) +
               " dotted parts (this config's keys have 2)");
        }
        part_bytes = 0;
        continue;
      }
      if (c != ' ' && c != '\t' && c != '\r' && ++part_bytes > kMaxConfigKeyBytes) {
        fail("a key longer than " + std::to_string(kMaxConfigKeyBytes) + " characters");
      }
      continue;
    }
    // inside a value: brackets nest; an inline table's keys are keys again
    if (c == '[' || c == '{') {
      if (++depth > kMaxConfigNesting) {
        fail("values nested more than " + std::to_string(kMaxConfigNesting) + " levels deep ([ and {)");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == '.' && depth > 0) {
      // dotted keys inside inline tables ({a.b.c = 1}); a number's '.' counts
      // too, which only makes the limit apply per value
      if (++key_parts > kMaxConfigKeyParts * 64) fail("too many dotted parts in one value");
    } else if (c == ',' && depth > 0) {
      key_parts = 1;
    }
  }
}

}  // namespace spikecube
