#pragma once
// Files are never half-written: content goes to a temporary file in the same
// folder, is flushed, and only then renamed over the destination. A crash or
// an interrupt leaves either the old file or the new one, never a mix.

#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace spikecube {

class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes content to path atomically; throws FileError naming the path.
void write_file_atomic(const std::string& path, std::string_view content);

// A stream to a temporary file that becomes `path` on commit(). Destroying it
// without commit() removes the temporary file and leaves `path` untouched.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ofstream& stream() { return out_; }
  // Throws FileError (e.g. "no space left on device") once a write failed.
  void check();
  const std::string& temp_path() const { return temp_; }
  void commit();

 private:
  std::string path_, temp_;
  std::ofstream out_;
  bool done_ = false;
};

// What every temporary name holds: "PATH.tmp.PID.N" (PID of the writer), so
// stale ones of a killed run can be recognised and removed.
inline constexpr const char* kTempMarker = ".tmp.";
// A temporary name beside `path` (same folder as the file a symlink at path
// points to, so the rename is atomic). Throws FileError when path is a
// device, FIFO or folder.
std::string temp_path_for(const std::string& path);
// Renames temp over path, or over the file a symlink at path points to
// (fsyncs first); throws FileError.
void commit_temp_file(const std::string& temp, const std::string& path);

}  // namespace spikecube
