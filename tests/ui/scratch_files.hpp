#pragma once
// Scratch files of the GUI test programs: one folder per test process (so
// suites running at once never share a name) and whole-file reads.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace spikecube::test {

// temp/<prefix>_<pid>, created on first use.
inline std::filesystem::path scratch_dir(const std::string& prefix) {
  std::filesystem::path d = std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace spikecube::test
