#pragma once
// Helpers for the io tests: scratch folders, running spikecube-cli as a child
// process with its output captured, and small file utilities.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace spikecube::testio {
namespace fs = std::filesystem;

// A fresh folder under the system temp dir, removed when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    path_ = fs::temp_directory_path() / ("spikecube_io_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

inline void write_text(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream is(text);
  for (std::string line; std::getline(is, line);) out.push_back(line);
  return out;
}

// Names of everything in dir (recursively), relative to it.
inline std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(fs::relative(e.path(), dir).string());
  return out;
}

inline bool has_temp_files(const fs::path& dir) {
  for (const auto& f : files_in(dir))
    if (f.find(".tmp.") != std::string::npos) return true;
  return false;
}

struct ChildResult {
  int rc = -1;  // exit status, or 128 + signal when killed by one
  std::string out, err;
};

// Starts spikecube-cli with args; stdout/stderr go to the given files.
inline pid_t spawn_cli(const std::vector<std::string>& args, const std::string& out_file, const std::string& err_file) {
  std::vector<std::string> all{SPIKECUBE_CLI};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Runs spikecube-cli to completion and captures its output.
inline ChildResult run_cli(const std::vector<std::string>& args) {
  const std::string base = (fs::temp_directory_path() / ("spikecube_io_cli_" + std::to_string(::getpid()))).string();
  ChildResult r;
  const pid_t pid = spawn_cli(args, base + ".out", base + ".err");
  if (pid < 0) return r;
  r.rc = wait_child(pid);
  r.out = read_text(base + ".out");
  r.err = read_text(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

// Models to cover: one preset of each model family. All three are built into
// every binary; one that is missing from `available` is still returned, so
// that its test fails (unknown preset) instead of silently not running.
inline std::vector<std::string> exactness_presets(const std::vector<std::string>& available) {
  std::vector<std::string> out = {"01_02", "cube-4", "groups-4"};
  for (const auto& p : out) {
    if (std::find(available.begin(), available.end(), p) == available.end())
      std::fprintf(stderr, "exactness_presets: preset %s is missing from this build; its tests will fail\n", p.c_str());
  }
  return out;
}

}  // namespace spikecube::testio
