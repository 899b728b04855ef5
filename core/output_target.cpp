#include "core/output_target.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.hpp"

namespace spikecube {
namespace fs = std::filesystem;

namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

std::string resolve_output_target(const std::string& path) {
  fs::path p(path);
  // a chain of links is followed by hand so a dangling last link still names
  // the file to create (fs::canonical refuses those)
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return p.string();  // does not exist yet: created by the rename
    if (S_ISREG(st.st_mode)) return p.string();
    if (!S_ISLNK(st.st_mode)) {
      throw FileError(path + ": is " + kind_of(st.st_mode) + ", not a regular file; refusing to replace it");
    }
    if (hops >= 40) throw FileError(path + ": too many levels of symbolic links");
    std::error_code ec;
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) throw FileError(path + ": cannot read the symbolic link (" + ec.message() + ")");
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
}

std::string write_failure_cause(const std::string& file, int err) {
  if (err == ENOSPC || err == EDQUOT) return "no space left on device";
  // libraries (the C++ streams, HDF5) do not always keep errno; the file
  // system's free space tells the common case apart
  const std::string dir = fs::path(file).has_parent_path() ? fs::path(file).parent_path().string() : ".";
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) == 0) {
    const auto free_bytes = static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize;
    if (free_bytes < (1ull << 20)) return "no space left on device";
  }
  if (err != 0) return std::strerror(err);
  return "write failed";
}

}  // namespace spikecube
