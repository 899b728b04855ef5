#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace spikecube {

std::string temp_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

void commit_temp_file(const std::string& temp, const std::string& path) {
  // flush the data to disk before the rename makes it visible
  const int fd = ::open(temp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temp.c_str());
    throw FileError(path + ": cannot write (" + why + ")");
  }
}

void write_file_atomic(const std::string& path, std::string_view content) {
  AtomicFile f(path);
  f.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  f.commit();
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temp_(temp_path_for(path_)) {
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw FileError(path_ + ": cannot write (" + std::strerror(errno) + ")");
}

AtomicFile::~AtomicFile() {
  if (!done_) {
    out_.close();
    std::remove(temp_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok) {
    std::remove(temp_.c_str());
    done_ = true;
    throw FileError(path_ + ": write failed (disk full?)");
  }
  done_ = true;
  commit_temp_file(temp_, path_);
}

}  // namespace spikecube
