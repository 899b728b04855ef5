#pragma once
// Small RAII wrappers over HDF5 C handles, shared by checkpoint.cpp and
// recording.cpp. Internal to spikecube_io; not installed, not for callers.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>

namespace spikecube::io::detail {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), close_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      close_ = o.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = H5I_INVALID_HID;
  }
  // Closes now and reports whether closing succeeded (a file's close flushes).
  bool close() {
    const bool good = id_ < 0 || !close_ || close_(id_) >= 0;
    id_ = H5I_INVALID_HID;
    return good;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// HDF5 prints its error stack to stderr by default; spikecube reports its own
// one-line errors instead.
// Also keeps libhdf5 from tearing itself down at exit: after a write failed
// on a full disk, its exit handler crashes (libhdf5 1.10) on the file it
// could not close; every file spikecube keeps is closed explicitly anyway.
inline void silence_hdf5_errors() {
  H5dont_atexit();  // effective before the library's first use, harmless after
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

inline Handle file_h(hid_t id) { return {id, H5Fclose}; }
inline Handle group_h(hid_t id) { return {id, H5Gclose}; }
inline Handle dataset_h(hid_t id) { return {id, H5Dclose}; }
inline Handle space_h(hid_t id) { return {id, H5Sclose}; }
inline Handle type_h(hid_t id) { return {id, H5Tclose}; }
inline Handle attr_h(hid_t id) { return {id, H5Aclose}; }
inline Handle plist_h(hid_t id) { return {id, H5Pclose}; }

// A creation property list (H5P_GROUP_CREATE, H5P_DATASET_CREATE) for
// objects without modification times: files that differ only in when they
// were written are then the same bytes.
inline Handle untimed(hid_t plist_class) {
  Handle p = plist_h(H5Pcreate(plist_class));
  H5Pset_obj_track_times(p.get(), false);
  return p;
}

// A fixed-length, NUL-terminated C string type holding `size` bytes + NUL.
inline Handle string_type(std::size_t size) {
  Handle t = type_h(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), size + 1);
  H5Tset_strpad(t.get(), H5T_STR_NULLTERM);
  return t;
}

// Writes a scalar string attribute; returns false on failure.
inline bool write_string_attr(hid_t obj, const char* name, const std::string& value) {
  Handle t = string_type(value.size());
  Handle s = space_h(H5Screate(H5S_SCALAR));
  Handle a = attr_h(H5Acreate2(obj, name, t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT));
  return a.ok() && H5Awrite(a.get(), t.get(), value.c_str()) >= 0;
}

// Writes a scalar variable-length UTF-8 string attribute (h5py reads it as str).
inline bool write_text_attr(hid_t obj, const char* name, const std::string& value) {
  Handle t = type_h(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  Handle s = space_h(H5Screate(H5S_SCALAR));
  Handle a = attr_h(H5Acreate2(obj, name, t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* p = value.c_str();
  return a.ok() && H5Awrite(a.get(), t.get(), &p) >= 0;
}

// Writes a scalar float64 attribute; returns false on failure.
inline bool write_f64_attr(hid_t obj, const char* name, double value) {
  Handle s = space_h(H5Screate(H5S_SCALAR));
  Handle a = attr_h(H5Acreate2(obj, name, H5T_IEEE_F64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT));
  return a.ok() && H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) >= 0;
}

// Writes a 1-D int64 attribute; returns false on failure.
inline bool write_i64_attr(hid_t obj, const char* name, const std::int64_t* values, std::size_t count) {
  const hsize_t dims[1] = {count};
  Handle s = space_h(count == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims, nullptr));
  Handle a = attr_h(H5Acreate2(obj, name, H5T_STD_I64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT));
  return a.ok() && H5Awrite(a.get(), H5T_NATIVE_INT64, values) >= 0;
}

}  // namespace spikecube::io::detail
