#pragma once
// Runs a command line through the shell and captures exit code, stdout and
// stderr, for black-box tests of the CLI.
#include <sys/wait.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace spikecube::test {

struct ProcessResult {
  int code = -1;
  std::string out, err;
  std::string last_line() const {
    std::string s = out;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    const auto nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
  }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A path under the temp dir that no other test process uses (suites may run
// at once, e.g. ctest -j): the process id is part of the name.
inline std::string unique_temp(const std::string& name) {
  return testing::TempDir() + "/spikecube_cli_" + std::to_string(::getpid()) + "_" + name;
}

// The lines of text, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream is(text);
  for (std::string line; std::getline(is, line);) out.push_back(line);
  return out;
}

inline ProcessResult run_process(const std::string& args) {
  static int counter = 0;
  const std::string base = testing::TempDir() + "/proc_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string cmd = args + " >" + base + ".out 2>" + base + ".err </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

inline ProcessResult cli(const std::string& args) { return run_process(std::string(SPIKECUBE_CLI) + " " + args); }

}  // namespace spikecube::test
