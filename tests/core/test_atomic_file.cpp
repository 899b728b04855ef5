// Atomic writes: a write that is never committed leaves the old file as it
// was and no temporary file behind; a committed one replaces it whole.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/atomic_file.hpp"

namespace spikecube {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Folder {
  fs::path path = fs::temp_directory_path() / ("spikecube_atomic_" + std::to_string(::getpid()));
  Folder() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  int entries() const {
    return static_cast<int>(std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
};

TEST(AtomicFile, AnUncommittedWriteKeepsTheOldFile) {
  Folder dir;
  const std::string target = (dir.path / "metrics.csv").string();
  write_file_atomic(target, "old content\n");
  {
    AtomicFile f(target);
    f.stream() << "new content that is never committed\n" << std::string(100000, 'x');
    f.stream().flush();
    EXPECT_TRUE(fs::exists(f.temp_path())) << "the new content goes to a temporary file";
    EXPECT_EQ(fs::path(f.temp_path()).parent_path(), dir.path) << "beside the target, so rename is atomic";
    EXPECT_EQ(slurp(target), "old content\n") << "the old file is untouched while writing";
  }  // destroyed without commit(), as when a run stops with an error
  EXPECT_EQ(slurp(target), "old content\n");
  EXPECT_EQ(dir.entries(), 1) << "no temporary file is left behind";
}

TEST(AtomicFile, ACommittedWriteReplacesTheFileWhole) {
  Folder dir;
  const std::string target = (dir.path / "summary.json").string();
  write_file_atomic(target, std::string(5000, 'o'));
  {
    AtomicFile f(target);
    f.stream() << "short";
    f.commit();
  }
  EXPECT_EQ(slurp(target), "short") << "no tail of the longer old file";
  EXPECT_EQ(dir.entries(), 1);
}

TEST(AtomicFile, AFolderThatDoesNotExistIsAFileErrorNamingThePath) {
  Folder dir;
  const std::string target = (dir.path / "missing" / "x.csv").string();
  try {
    write_file_atomic(target, "x");
    FAIL() << "no error";
  } catch (const FileError& e) {
    EXPECT_NE(std::string(e.what()).find(target), std::string::npos) << e.what();
  }
  EXPECT_EQ(dir.entries(), 0);
}

}  // namespace
}  // namespace spikecube
