#pragma once
// The checkpoint file itself, shared by the one-process writer and reader
// (checkpoint.cpp) and the distributed ones (slab_checkpoint.cpp): creating
// the HDF5 file, its user-block header and checksum, and reading it back
// with every check. Internal to spikecube_io; callers use checkpoint.hpp.
//
// Objects are created without modification times, so that the same archive
// gives the same bytes whenever and however (in one piece or slab by slab)
// it is written.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/state_archive.hpp"
#include "io/checkpoint.hpp"
#include "io/h5util.hpp"

namespace spikecube::io::detail {

// One checkpoint under construction: an HDF5 file at a temporary name beside
// path, renamed to path by commit(). Destroying it without commit() removes
// the temporary file and leaves path untouched. Every failure is a
// CheckpointError naming path.
class CheckpointWriter {
 public:
  explicit CheckpointWriter(std::string path);
  ~CheckpointWriter();
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  // The root attributes: format, format_version, model, step (-1: none).
  void write_root(const std::string& model, std::int64_t step);
  Handle create_group(const char* name);
  // A 1-D dataset of `size` elements, its storage allocated at the first
  // write, so writing it in ranges gives the same file as in one piece.
  Handle create_array(hid_t group, const char* group_name, const std::string& name, hid_t file_type,
                      std::uint64_t size);
  // Elements [offset, offset + count) of a dataset made by create_array.
  void write_range(hid_t dataset, hid_t mem_type, std::uint64_t offset, std::uint64_t count, const void* data,
                   const std::string& where);
  void write_text(hid_t group, const std::string& name, const std::string& value);
  // Closes the file, fills in the header and renames it to path.
  void commit();

  // Throws CheckpointError(path, cause), naming a full disk as the cause
  // when it is one (it shows up as whichever dataset was being written).
  [[noreturn]] void fail(const std::string& cause) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_, temp_;
  Handle file_;
  bool committed_ = false;
};

// Part of an array to read: elements [first, first + count).
struct ArrayRange {
  std::uint64_t first = 0, count = 0;
};
// For each stored array (name, stored length): the range to read, or nullopt
// for all of it. May throw CheckpointError (e.g. a length that does not fit).
using RangeOf = std::function<std::optional<ArrayRange>(const std::string& name, std::uint64_t length)>;

// Verifies the header and checksum (streaming the file), opens it, checks
// its format, and reads every array (the part range_of asks for) and every
// text field. Throws CheckpointError and never returns a partial archive.
StateArchive read_checkpoint(const std::string& path, const RangeOf& range_of);

}  // namespace spikecube::io::detail
