#include "io/checkpoint_file.hpp"
#include "io/error_text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/output_target.hpp"
#include "io/checkpoint_format.hpp"

namespace spikecube::io::detail {
namespace {
using namespace format;

// checksum of bytes [kUserBlock, end) of an open file descriptor
bool checksum_body(int fd, std::uint64_t size, std::uint64_t& out) {
  Checksum sum;
  std::vector<unsigned char> buf(1 << 20);
  std::uint64_t pos = kUserBlock;
  while (pos < size) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - pos));
    const ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    sum.add(buf.data(), static_cast<std::size_t>(got));
    pos += static_cast<std::uint64_t>(got);
  }
  out = sum.value();
  return true;
}

std::string errno_text() { return std::strerror(errno); }

// the user-block header: written after HDF5 has closed the file
void write_header(const std::string& temp, const std::string& path) {
  const int fd = ::open(temp.c_str(), O_RDWR);
  if (fd < 0) throw CheckpointError(path, "cannot reopen temporary file (" + errno_text() + ")");
  struct stat st {};
  std::uint64_t sum = 0;
  const bool ok = ::fstat(fd, &st) == 0 && checksum_body(fd, static_cast<std::uint64_t>(st.st_size), sum);
  if (!ok) {
    ::close(fd);
    throw CheckpointError(path, "cannot read back temporary file (" + errno_text() + ")");
  }
  std::array<unsigned char, kHeaderBytes> h{};
  std::memcpy(h.data(), kMagic, 16);
  put_le(h.data() + 16, kCheckpointVersion, 4);
  put_le(h.data() + 20, kUserBlock, 4);
  put_le(h.data() + 24, static_cast<std::uint64_t>(st.st_size), 8);
  put_le(h.data() + 32, sum, 8);
  const bool wrote = ::pwrite(fd, h.data(), h.size(), 0) == static_cast<ssize_t>(h.size());
  const std::string why = errno_text();
  ::close(fd);
  if (!wrote) throw CheckpointError(path, "cannot write header (" + why + ")");
}

// checks the header and checksum before HDF5 sees the file
void verify_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw CheckpointError(path, "cannot open (" + errno_text() + ")");
  if (S_ISDIR(st.st_mode)) throw CheckpointError(path, "is a directory, not a checkpoint file");
  if (!S_ISREG(st.st_mode)) throw CheckpointError(path, "is not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw CheckpointError(path, "cannot open (" + errno_text() + ")");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0) throw CheckpointError(path, "empty file (0 bytes), not a spikecube checkpoint");
  std::array<unsigned char, kHeaderBytes> h{};
  const ssize_t got = ::pread(fd, h.data(), h.size(), 0);
  if (got < 0) throw CheckpointError(path, "cannot read (" + errno_text() + ")");
  const auto have = static_cast<std::size_t>(got);
  if (std::memcmp(h.data(), kMagic, std::min<std::size_t>(have, 16)) != 0) {
    throw CheckpointError(path, "not a spikecube checkpoint (no spikecube header: another format or random bytes)");
  }
  if (have < kHeaderBytes) throw CheckpointError(path, "truncated: only " + std::to_string(size) + " bytes");
  const auto version = get_le(h.data() + 16, 4);
  if (version > kCheckpointVersion) {
    throw CheckpointError(path, "checkpoint format version " + std::to_string(version) +
                                    " is newer than this build reads (version " + std::to_string(kCheckpointVersion) +
                                    "); use a newer spikecube");
  }
  if (version < kCheckpointVersion) {
    throw CheckpointError(path, "checkpoint format version " + std::to_string(version) +
                                    " is older than this build reads (version " + std::to_string(kCheckpointVersion) +
                                    ")");
  }
  const auto expected = get_le(h.data() + 24, 8);
  if (get_le(h.data() + 20, 4) != kUserBlock || expected < kUserBlock) throw CheckpointError(path, "corrupted header");
  std::uint64_t sum = 0;
  if (!checksum_body(fd, size, sum)) throw CheckpointError(path, "cannot read (" + errno_text() + ")");
  const bool body_intact = sum == get_le(h.data() + 32, 8);
  if (size != expected) {
    // the checksum covers the body only: an intact body with a size that
    // disagrees means the header's size field itself was damaged
    if (body_intact || expected > (std::uint64_t{1} << 44)) {
      throw CheckpointError(path, "corrupted header: its size field says " + std::to_string(expected) +
                                      " bytes, the file has " + std::to_string(size));
    }
    if (size < expected) {
      throw CheckpointError(path, "truncated: " + std::to_string(size) + " of " + std::to_string(expected) + " bytes");
    }
    throw CheckpointError(path, "corrupted: " + std::to_string(size - expected) + " unexpected bytes after the end");
  }
  if (!body_intact) throw CheckpointError(path, "corrupted: checksum mismatch");
}

// reading: iterate the links of one group and hand each dataset to a reader
struct IterState {
  std::vector<std::string> names;
};
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<IterState*>(data)->names.emplace_back(name);
  return 0;
}

std::vector<std::string> group_members(hid_t file, const char* group, const std::string& path) {
  if (H5Lexists(file, group, H5P_DEFAULT) <= 0) throw CheckpointError(path, std::string("missing group ") + group);
  Handle g = group_h(H5Gopen2(file, group, H5P_DEFAULT));
  if (!g.ok()) throw CheckpointError(path, std::string("cannot open group ") + group);
  // old-style (symbol table) groups are never written by spikecube; refusing
  // them keeps libhdf5's least robust parser (it overflows on crafted link
  // names) away from files that got here with a valid checksum
  H5G_info_t info{};
  if (H5Gget_info(g.get(), &info) < 0 || info.storage_type == H5G_STORAGE_TYPE_SYMBOL_TABLE) {
    throw CheckpointError(path, std::string("group ") + group + " has a layout spikecube does not write");
  }
  IterState st;
  if (H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_name, &st) < 0) {
    throw CheckpointError(path, std::string("cannot list group ") + group);
  }
  return st.names;
}

// element checks: class and size of the stored type must match what we wrote
bool type_matches(hid_t type, H5T_class_t cls, std::size_t size, bool is_signed) {
  if (H5Tget_class(type) != cls || H5Tget_size(type) != size) return false;
  if (cls == H5T_INTEGER) return (H5Tget_sign(type) == H5T_SGN_2) == is_signed;
  return true;
}

// Opens dataset group/name, checks its element type and shape; returns its length.
template <typename T>
Handle open_array(hid_t file, const std::string& where, H5T_class_t cls, bool is_signed, const std::string& path,
                  std::uint64_t& length) {
  Handle d = dataset_h(H5Dopen2(file, where.c_str(), H5P_DEFAULT));
  if (!d.ok()) throw CheckpointError(path, "cannot open dataset " + where);
  Handle t = type_h(H5Dget_type(d.get()));
  if (!t.ok() || !type_matches(t.get(), cls, sizeof(T), is_signed)) {
    throw CheckpointError(path, "dataset " + where + " has the wrong element type");
  }
  Handle s = space_h(H5Dget_space(d.get()));
  if (!s.ok() || H5Sget_simple_extent_ndims(s.get()) != 1)
    throw CheckpointError(path, "dataset " + where + " is not 1-D");
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(s.get(), dims, nullptr);
  length = dims[0];
  return d;
}

template <typename T>
void read_group(hid_t file, const char* group, std::map<std::string, std::vector<T>>& out, H5T_class_t cls,
                bool is_signed, hid_t mem_type, const std::string& path, const RangeOf& range_of) {
  for (const auto& name : group_members(file, group, path)) {
    const std::string where = std::string(group) + "/" + name;
    std::uint64_t length = 0;
    Handle d = open_array<T>(file, where, cls, is_signed, path, length);
    const std::optional<ArrayRange> part = range_of ? range_of(name, length) : std::nullopt;
    const ArrayRange r = part ? *part : ArrayRange{0, length};
    if (r.first > length || r.count > length - r.first)
      throw CheckpointError(path, "dataset " + where + " is shorter than the part to read");
    // refuse absurd sizes before allocating (a checkpoint of 256^3 is far below this)
    if (r.count > (std::uint64_t{1} << 34) / sizeof(T))
      throw CheckpointError(path, "dataset " + where + " is implausibly large");
    std::vector<T> values(static_cast<std::size_t>(r.count));
    if (!values.empty()) {
      Handle fs = space_h(H5Dget_space(d.get()));
      const hsize_t start[1] = {r.first}, count[1] = {r.count};
      Handle ms = space_h(H5Screate_simple(1, count, nullptr));
      if (!fs.ok() || !ms.ok() || H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
          H5Dread(d.get(), mem_type, ms.get(), fs.get(), H5P_DEFAULT, values.data()) < 0) {
        throw CheckpointError(path, "cannot read dataset " + where + " (corrupted?)");
      }
    }
    out[name] = std::move(values);
  }
}

std::string read_string(hid_t obj, bool attribute, const std::string& where, const std::string& path) {
  Handle t = type_h(attribute ? H5Aget_type(obj) : H5Dget_type(obj));
  if (!t.ok() || H5Tget_class(t.get()) != H5T_STRING || H5Tis_variable_str(t.get()) > 0) {
    throw CheckpointError(path, where + " is not a fixed-length string");
  }
  const std::size_t size = H5Tget_size(t.get());
  if (size == 0 || size > (std::size_t{1} << 28)) throw CheckpointError(path, where + " has an implausible size");
  Handle s = space_h(attribute ? H5Aget_space(obj) : H5Dget_space(obj));
  if (!s.ok() || H5Sget_simple_extent_npoints(s.get()) != 1)
    throw CheckpointError(path, where + " is not a single string");
  Handle mt = string_type(size - 1);
  std::vector<char> buf(size + 1, '\0');
  const herr_t rc = attribute ? H5Aread(obj, mt.get(), buf.data())
                              : H5Dread(obj, mt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
  if (rc < 0) throw CheckpointError(path, "cannot read " + where);
  return std::string(buf.data(), ::strnlen(buf.data(), size));
}

std::string read_string_attr(hid_t obj, const char* name, const std::string& path) {
  if (H5Aexists(obj, name) <= 0)
    throw CheckpointError(path, std::string("missing attribute '") + name + "' (not a spikecube checkpoint?)");
  Handle a = attr_h(H5Aopen(obj, name, H5P_DEFAULT));
  if (!a.ok()) throw CheckpointError(path, std::string("cannot open attribute '") + name + "'");
  return read_string(a.get(), true, std::string("attribute '") + name + "'", path);
}

std::int64_t read_i64_attr(hid_t obj, const char* name, const std::string& path) {
  if (H5Aexists(obj, name) <= 0) throw CheckpointError(path, std::string("missing attribute '") + name + "'");
  Handle a = attr_h(H5Aopen(obj, name, H5P_DEFAULT));
  Handle t = type_h(H5Aget_type(a.get()));
  Handle s = space_h(H5Aget_space(a.get()));
  if (!a.ok() || !t.ok() || H5Tget_class(t.get()) != H5T_INTEGER || H5Sget_simple_extent_npoints(s.get()) != 1) {
    throw CheckpointError(path, std::string("attribute '") + name + "' is not one integer");
  }
  std::int64_t v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_INT64, &v) < 0)
    throw CheckpointError(path, std::string("cannot read attribute '") + name + "'");
  return v;
}

}  // namespace

CheckpointWriter::CheckpointWriter(std::string path) : path_(std::move(path)) {
  silence_hdf5_errors();
  try {
    temp_ = temp_path_for(path_);  // refuses a device, FIFO or folder at path
  } catch (const FileError& e) {
    throw CheckpointError(path_, cause_after_path(e.what(), path_));
  }
  // create the file ourselves first: HDF5's own errors do not say why it failed
  const int fd = ::open(temp_.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) throw CheckpointError(path_, "cannot write (" + write_failure_cause(temp_, errno) + ")");
  ::close(fd);
  Handle fcpl = untimed(H5P_FILE_CREATE);  // the root group's times
  H5Pset_userblock(fcpl.get(), kUserBlock);
  // the 1.8 file format: superblock v2 and link/object-header structures that
  // carry their own checksums; read_checkpoint refuses the older layouts
  Handle fapl = plist_h(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18);
  file_ = file_h(H5Fcreate(temp_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()));
  if (!file_.ok()) {
    const std::string why = write_failure_cause(temp_, errno);
    std::remove(temp_.c_str());
    throw CheckpointError(path_, "cannot create HDF5 file (" + why + ")");
  }
}

CheckpointWriter::~CheckpointWriter() {
  if (committed_) return;
  // frees the temporary file's space first, so that HDF5 can close it
  // cleanly even on a full disk
  [[maybe_unused]] const int rc = ::truncate(temp_.c_str(), 0);
  file_.reset();
  std::remove(temp_.c_str());
}

void CheckpointWriter::fail(const std::string& cause) const {
  const std::string why = write_failure_cause(temp_, errno);
  if (why == "no space left on device") throw CheckpointError(path_, why + " (" + cause + ")");
  throw CheckpointError(path_, cause);
}

void CheckpointWriter::write_root(const std::string& model, std::int64_t step) {
  const hid_t f = file_.get();
  const std::int64_t version = kCheckpointVersion;
  if (!write_string_attr(f, "format", "spikecube-checkpoint") || !write_i64_attr(f, "format_version", &version, 1) ||
      !write_string_attr(f, "model", model) || !write_i64_attr(f, "step", &step, 1)) {
    fail("cannot write attributes");
  }
}

Handle CheckpointWriter::create_group(const char* name) {
  Handle gcpl = untimed(H5P_GROUP_CREATE);
  Handle g = group_h(H5Gcreate2(file_.get(), name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
  if (!g.ok()) fail(std::string("cannot create group ") + name);
  return g;
}

Handle CheckpointWriter::create_array(hid_t group, const char* group_name, const std::string& name, hid_t file_type,
                                      std::uint64_t size) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    fail("array name '" + name + "' cannot be stored");
  }
  const hsize_t dims[1] = {size};
  Handle s = space_h(H5Screate_simple(1, dims, nullptr));
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  Handle d = dataset_h(H5Dcreate2(group, name.c_str(), file_type, s.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!d.ok()) fail("cannot create dataset " + std::string(group_name) + "/" + name);
  return d;
}

void CheckpointWriter::write_range(hid_t dataset, hid_t mem_type, std::uint64_t offset, std::uint64_t count,
                                   const void* data, const std::string& where) {
  if (count == 0) return;
  Handle fs = space_h(H5Dget_space(dataset));
  const hsize_t start[1] = {offset}, block[1] = {count};
  Handle ms = space_h(H5Screate_simple(1, block, nullptr));
  if (!fs.ok() || !ms.ok() || H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start, nullptr, block, nullptr) < 0 ||
      H5Dwrite(dataset, mem_type, ms.get(), fs.get(), H5P_DEFAULT, data) < 0) {
    fail("cannot write dataset " + where);
  }
}

void CheckpointWriter::write_text(hid_t group, const std::string& name, const std::string& value) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos)
    fail("text name '" + name + "' cannot be stored");
  Handle t = string_type(value.size());
  Handle s = space_h(H5Screate(H5S_SCALAR));
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  Handle d = dataset_h(H5Dcreate2(group, name.c_str(), t.get(), s.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!d.ok() || H5Dwrite(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, value.c_str()) < 0)
    fail("cannot write text/" + name);
}

void CheckpointWriter::commit() {
  if (!file_.close()) throw CheckpointError(path_, "write failed (" + write_failure_cause(temp_, errno) + ")");
  write_header(temp_, path_);
  try {
    commit_temp_file(temp_, path_);
  } catch (const FileError& e) {
    throw CheckpointError(path_, cause_after_path(e.what(), path_));
  }
  committed_ = true;
}

StateArchive read_checkpoint(const std::string& path, const RangeOf& range_of) {
  silence_hdf5_errors();
  verify_file(path);
  Handle fapl = plist_h(H5Pcreate(H5P_FILE_ACCESS));
  Handle file = file_h(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file.ok()) throw CheckpointError(path, "not a readable HDF5 file");
  H5F_info2_t finfo{};
  if (H5Fget_info2(file.get(), &finfo) < 0 || finfo.super.version < 2) {
    throw CheckpointError(path, "HDF5 superblock version is older than spikecube writes");
  }
  if (read_string_attr(file.get(), "format", path) != "spikecube-checkpoint") {
    throw CheckpointError(path, "not a spikecube checkpoint (format attribute differs)");
  }
  const auto version = read_i64_attr(file.get(), "format_version", path);
  if (version != static_cast<std::int64_t>(kCheckpointVersion)) {
    throw CheckpointError(path, "format_version attribute " + std::to_string(version) + " does not match its header");
  }
  StateArchive a;
  try {
    read_group(file.get(), "f32", a.f32, H5T_FLOAT, false, H5T_NATIVE_FLOAT, path, range_of);
    read_group(file.get(), "f64", a.f64, H5T_FLOAT, false, H5T_NATIVE_DOUBLE, path, range_of);
    read_group(file.get(), "i64", a.i64, H5T_INTEGER, true, H5T_NATIVE_INT64, path, range_of);
    read_group(file.get(), "u8", a.u8, H5T_INTEGER, false, H5T_NATIVE_UINT8, path, range_of);
    for (const auto& name : group_members(file.get(), "text", path)) {
      const std::string where = "text/" + name;
      Handle d = dataset_h(H5Dopen2(file.get(), where.c_str(), H5P_DEFAULT));
      if (!d.ok()) throw CheckpointError(path, "cannot open dataset " + where);
      a.text[name] = read_string(d.get(), false, where, path);
    }
  } catch (const std::bad_alloc&) {
    throw CheckpointError(path, "out of memory while reading (corrupted sizes?)");
  }
  const std::string model = read_string_attr(file.get(), "model", path);
  auto it = a.text.find("model");
  if (it == a.text.end() || it->second != model) throw CheckpointError(path, "model attribute and text/model disagree");
  return a;
}

}  // namespace spikecube::io::detail
