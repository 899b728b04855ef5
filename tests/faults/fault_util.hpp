#pragma once
// Helpers of the fault-injection tests: a small tmpfs to fill, shell runs of
// the CLI (for ulimit), and checks of what a failed run printed and left.

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "../io/io_test_util.hpp"

namespace spikecube::faults {
using testio::ChildResult;
using testio::ScratchDir;
namespace fs = std::filesystem;

// A tmpfs of `megabytes` mounted on a fresh folder, unmounted at the end.
// ok() is false (and why() says why) where mounting is not allowed.
class SmallDisk {
 public:
  SmallDisk(const ScratchDir& dir, int megabytes) : path_(dir.path() / "small") {
    fs::create_directories(path_);
    const std::string opts = "size=" + std::to_string(megabytes) + "m";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_ = std::string("cannot mount a tmpfs to fill (") + std::strerror(errno) + "; needs root or CAP_SYS_ADMIN)";
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool ok() const { return mounted_; }
  const std::string& why() const { return why_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

  // Fills the disk until `leave` bytes are free (a file named filler).
  void fill_leaving(std::size_t leave) const {
    struct statvfs v {};
    ::statvfs(path_.c_str(), &v);
    const std::size_t free_bytes = static_cast<std::size_t>(v.f_bavail) * v.f_frsize;
    if (free_bytes <= leave) return;
    std::ofstream f(path_ / "filler", std::ios::binary);
    const std::string block(1 << 16, 'x');
    std::size_t left = free_bytes - leave;
    while (left > 0) {
      const std::size_t n = std::min(left, block.size());
      f.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
  }

 private:
  fs::path path_;
  bool mounted_ = false;
  std::string why_;
};

// AddressSanitizer reserves terabytes of address space for its shadow
// memory, so a CLI built with it cannot start under `ulimit -v`.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

// Runs a shell command line and captures its output (for `ulimit -v`).
inline ChildResult run_shell(const std::string& cmd) {
  const std::string base = (fs::temp_directory_path() / ("spikecube_faults_sh_" + std::to_string(::getpid()))).string();
  const int status = std::system((cmd + " >" + base + ".out 2>" + base + ".err </dev/null").c_str());
  ChildResult r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = testio::read_text(base + ".out");
  r.err = testio::read_text(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

// The one line a refused run printed (empty when it printed more or none).
inline std::string one_line(const std::string& err) {
  const auto lines = testio::lines_of(err);
  return lines.size() == 1 ? lines[0] : std::string();
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A small layer config (checkpoints of about half a megabyte).
inline std::vector<std::string> small_layer(std::vector<std::string> args) {
  const std::vector<std::string> base{"run", "--preset", "01_01", "--set", "model.n=16", "--quiet"};
  args.insert(args.begin(), base.begin(), base.end());
  return args;
}

}  // namespace spikecube::faults
