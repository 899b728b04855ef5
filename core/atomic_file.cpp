#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/output_target.hpp"

namespace spikecube {

std::string temp_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  // beside the file a symlink points at, so the rename replaces that file
  return resolve_output_target(path) + kTempMarker + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

void commit_temp_file(const std::string& temp, const std::string& path) {
  // flush the data to disk before the rename makes it visible
  const int fd = ::open(temp.c_str(), O_RDONLY);
  if (fd >= 0) {
    // some file systems (NFS, quotas) report a full disk only here
    const int synced = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (synced != 0 && (err == ENOSPC || err == EDQUOT || err == EIO)) {
      const std::string why = write_failure_cause(temp, err);
      std::remove(temp.c_str());
      throw FileError(path + ": " + why);
    }
  }
  std::string target;
  try {
    target = resolve_output_target(path);  // checked again: something may have appeared there meanwhile
  } catch (const FileError&) {
    std::remove(temp.c_str());
    throw;
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
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
  if (!out_) throw FileError(path_ + ": cannot write (" + write_failure_cause(temp_, errno) + ")");
}

void AtomicFile::check() {
  if (!out_) throw FileError(path_ + ": " + write_failure_cause(temp_, errno));
}

AtomicFile::~AtomicFile() {
  if (!done_) {
    out_.close();
    std::remove(temp_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  int err = out_ ? 0 : errno;
  const bool flushed = static_cast<bool>(out_);
  out_.close();
  if (flushed && !out_) err = errno;  // close writes what was still buffered
  if (!flushed || !out_) {
    const std::string why = write_failure_cause(temp_, err);
    std::remove(temp_.c_str());
    done_ = true;
    throw FileError(path_ + ": " + why);
  }
  done_ = true;
  commit_temp_file(temp_, path_);
}

}  // namespace spikecube
