#include "io/recording_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/atomic_file.hpp"
#include "core/output_target.hpp"
#include "io/h5util.hpp"

namespace spikecube::io::detail {
namespace {

constexpr hsize_t kChunk = 1 << 15;            // events per chunk of a spike dataset
constexpr std::size_t kFlushEvents = 1 << 16;  // buffered events before a write

// chunked, extendible, compressed 1-D dataset of `type`
Handle make_events(hid_t group, const char* name, hid_t type) {
  const hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {kChunk};
  Handle s = space_h(H5Screate_simple(1, dims, maxdims));
  Handle dcpl = untimed(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl.get(), 1, chunk);
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), 1);
  }
  return dataset_h(H5Dcreate2(group, name, type, s.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
}

// The SONATA `sorting` attribute: an enum over int8 with the values none,
// by_id and by_time. Spikes are appended step by step, so they are by_time.
bool write_sorting_attr(hid_t group) {
  Handle t = type_h(H5Tenum_create(H5T_NATIVE_INT8));
  const std::int8_t none = 0, by_id = 1, by_time = 2;
  if (H5Tenum_insert(t.get(), "none", &none) < 0 || H5Tenum_insert(t.get(), "by_id", &by_id) < 0 ||
      H5Tenum_insert(t.get(), "by_time", &by_time) < 0) {
    return false;
  }
  Handle sp = space_h(H5Screate(H5S_SCALAR));
  Handle a = attr_h(H5Acreate2(group, "sorting", t.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT));
  return a.ok() && H5Awrite(a.get(), t.get(), &by_time) >= 0;
}

// appends `count` rows of `row` elements each to dataset d (rank = 1 + row dims)
bool append(hid_t d, int rank, const hsize_t* row_dims, hsize_t written, hsize_t count, hid_t mem_type,
            const void* data) {
  if (count == 0) return true;
  hsize_t size[3] = {written + count, 0, 0}, start[3] = {written, 0, 0}, block[3] = {count, 0, 0};
  for (int k = 1; k < rank; ++k) size[k] = block[k] = row_dims[k - 1];
  if (H5Dset_extent(d, size) < 0) return false;
  Handle fs = space_h(H5Dget_space(d));
  if (H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start, nullptr, block, nullptr) < 0) return false;
  Handle ms = space_h(H5Screate_simple(rank, block, nullptr));
  return H5Dwrite(d, mem_type, ms.get(), fs.get(), H5P_DEFAULT, data) >= 0;
}

// Milliseconds per step in the SONATA timestamps: one step is 1 ms.
constexpr double kStepMs = 1.0;

struct Events {
  std::string name;
  Handle group, time_ds, node_ds;
  std::vector<double> times;  // ms
  std::vector<std::uint64_t> nodes;
  hsize_t written = 0;
};

}  // namespace

std::pair<int, int> slice_rows_in(const SliceShape& shape, const Slab& slab) {
  if (shape.slice.axis == 'z') {
    const bool held = shape.slice.index >= slab.first && shape.slice.index < slab.first + slab.count;
    return {0, held ? shape.rows : 0};
  }
  return {static_cast<int>(slab.first), static_cast<int>(slab.count)};
}

void fill_slice_rows(const SliceShape& shape, const Dims& dims, const Slab& slab, std::span<const float> potential,
                     float* rows_out) {
  const auto [first_row, rows] = slice_rows_in(shape, slab);
  const std::size_t nx = static_cast<std::size_t>(dims.nx), ny = static_cast<std::size_t>(dims.ny);
  const auto k = static_cast<std::size_t>(shape.slice.index);
  const auto z0 = static_cast<std::size_t>(slab.first);
  for (int r = first_row; r < first_row + rows; ++r) {
    float* out = rows_out + static_cast<std::size_t>(r - first_row) * static_cast<std::size_t>(shape.cols);
    for (int c = 0; c < shape.cols; ++c) {
      const auto rr = static_cast<std::size_t>(r), cc = static_cast<std::size_t>(c);
      std::size_t x = 0, y = 0, z = 0;
      if (shape.slice.axis == 'z') {
        z = k;
        y = rr;
        x = cc;
      } else if (shape.slice.axis == 'y') {
        y = k;
        z = rr;
        x = cc;
      } else {
        x = k;
        z = rr;
        y = cc;
      }
      out[c] = potential[((z - z0) * ny + y) * nx + x];
    }
  }
}

std::vector<SliceShape> slice_shapes(const std::string& path, const Dims& dims, const RecordOptions& opt) {
  const auto fail = [&](const std::string& cause) { throw RecordingError(path, cause); };
  if (opt.every < 1) fail("--record-every must be at least 1");
  std::vector<SliceShape> shapes;
  for (const auto& s : opt.slices) {
    const int extent = s.axis == 'x' ? dims.nx : s.axis == 'y' ? dims.ny : dims.nz;
    if (s.index < 0 || s.index >= extent) {
      fail(std::string("slice ") + s.axis + ":" + std::to_string(s.index) + " is outside the lattice (" + s.axis +
           " in [0, " + std::to_string(extent - 1) + "])");
    }
    shapes.push_back({s, s.axis == 'z' ? dims.ny : dims.nz, s.axis == 'x' ? dims.ny : dims.nx});
  }
  return shapes;
}

struct RecordingFile::Impl {
  std::string temp;
  Handle file;
  Events pops[3];
  Handle pot_group, pot_steps;
  std::vector<Handle> slice_ds;
  hsize_t samples = 0;
  std::int64_t every = 10, first_step = -1, last_step = -1;
  bool closed = false;
};

RecordingFile::RecordingFile(std::string path, const RecordingHeader& header, const RecordOptions& opt)
    : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  silence_hdf5_errors();
  Impl& m = *impl_;
  const auto fail = [&](const std::string& cause) { throw RecordingError(path_, cause); };
  m.every = opt.every;
  shapes_ = slice_shapes(path_, header.dims, opt);
  for (const auto& shape : shapes_)
    samples_.emplace_back(static_cast<std::size_t>(shape.rows) * static_cast<std::size_t>(shape.cols));

  try {
    m.temp = temp_path_for(path_);  // refuses a device, FIFO or folder at the path
  } catch (const FileError& e) {
    const std::string what = e.what();
    fail(what.rfind(path_ + ": ", 0) == 0 ? what.substr(path_.size() + 2) : what);
  }
  const int fd = ::open(m.temp.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) fail("cannot write (" + write_failure_cause(m.temp, errno) + ")");
  ::close(fd);
  try {
    Handle fcpl = untimed(H5P_FILE_CREATE);  // the root group's times
    m.file = file_h(H5Fcreate(m.temp.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT));
    if (!m.file.ok()) fail("cannot create HDF5 file");
    const hid_t f = m.file.get();
    const std::string& toml = header.config_toml;
    const std::int64_t version = 2, seed = header.seed;
    const std::int64_t nx = header.dims.nx, ny = header.dims.ny, nz = header.dims.nz, n = header.n;
    bool ok = write_text_attr(f, "format", "spikecube-recording") && write_i64_attr(f, "format_version", &version, 1) &&
              write_text_attr(f, "model", header.model) && write_i64_attr(f, "seed", &seed, 1) &&
              write_i64_attr(f, "nx", &nx, 1) && write_i64_attr(f, "ny", &ny, 1) && write_i64_attr(f, "nz", &nz, 1) &&
              write_i64_attr(f, "n", &n, 1) && write_i64_attr(f, "record_every", &m.every, 1) &&
              write_text_attr(f, "neuron_index", "hidden: (z*ny + y)*nx + x; input/output: y*n + x") &&
              write_f64_attr(f, "step_ms", kStepMs) && write_text_attr(f, "config", toml);
    {
      Handle t = string_type(toml.size());
      Handle s = space_h(H5Screate(H5S_SCALAR));
      Handle dcpl = untimed(H5P_DATASET_CREATE);
      Handle d = dataset_h(H5Dcreate2(f, "config", t.get(), s.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
      ok = ok && d.ok() && H5Dwrite(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, toml.c_str()) >= 0;
    }
    if (!ok) fail("cannot write the header");
    Handle gcpl = untimed(H5P_GROUP_CREATE);
    Handle spikes = group_h(H5Gcreate2(f, "spikes", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
    const char* names[3] = {"hidden", "output", "input"};
    for (int k = 0; k < 3; ++k) {
      Events& p = m.pops[k];
      p.name = names[k];
      p.group = group_h(H5Gcreate2(spikes.get(), names[k], H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
      if (!p.group.ok()) fail("cannot create group spikes/" + p.name);
      p.time_ds = make_events(p.group.get(), "timestamps", H5T_IEEE_F64LE);
      p.node_ds = make_events(p.group.get(), "node_ids", H5T_STD_U64LE);
      if (!p.time_ds.ok() || !p.node_ds.ok() || !write_text_attr(p.time_ds.get(), "units", "ms") ||
          !write_sorting_attr(p.group.get())) {
        fail("cannot create spikes/" + p.name + " datasets");
      }
    }
    if (!shapes_.empty()) {
      m.pot_group = group_h(H5Gcreate2(f, "potential", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
      if (!m.pot_group.ok()) fail("cannot create group potential");
      write_text_attr(m.pot_group.get(), "units", "v/theta (1 = at threshold)");
      m.pot_steps = make_events(m.pot_group.get(), "step", H5T_STD_I64LE);
      for (const auto& so : shapes_) {
        // built with append: gcc 12 warns (-Wrestrict, a false positive) on char + string concatenation
        std::string name(1, so.slice.axis);
        name.append(std::to_string(so.slice.index));
        if (H5Lexists(m.pot_group.get(), name.c_str(), H5P_DEFAULT) > 0) fail("slice " + name + " given twice");
        const auto rows = static_cast<hsize_t>(so.rows), cols = static_cast<hsize_t>(so.cols);
        const hsize_t dims[3] = {0, rows, cols}, maxdims[3] = {H5S_UNLIMITED, rows, cols};
        const hsize_t chunk[3] = {std::max<hsize_t>(1, std::min<hsize_t>(16, (1u << 16) / (rows * cols))), rows, cols};
        Handle s = space_h(H5Screate_simple(3, dims, maxdims));
        Handle dcpl = untimed(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl.get(), 3, chunk);
        m.slice_ds.push_back(dataset_h(H5Dcreate2(m.pot_group.get(), name.c_str(), H5T_IEEE_F32LE, s.get(), H5P_DEFAULT,
                                                  dcpl.get(), H5P_DEFAULT)));
        if (!m.slice_ds.back().ok()) fail("cannot create potential/" + name);
      }
    }
  } catch (...) {
    m.file.reset();
    std::remove(m.temp.c_str());
    throw;
  }
}

RecordingFile::~RecordingFile() {
  if (impl_ && !impl_->closed) {
    // abandoned: empty the file first, so that HDF5 can close it even when a
    // full disk is why it was abandoned, then drop every handle and remove it
    if (!impl_->temp.empty()) {
      [[maybe_unused]] const int rc = ::truncate(impl_->temp.c_str(), 0);
    }
    for (auto& p : impl_->pops) p = Events{};
    impl_->slice_ds.clear();
    impl_->pot_steps.reset();
    impl_->pot_group.reset();
    impl_->file.reset();
    std::remove(impl_->temp.c_str());
  }
}

namespace {

void flush_population(Events& p, const std::string& path, const std::string& temp) {
  const hsize_t n = p.times.size();
  if (!append(p.time_ds.get(), 1, nullptr, p.written, n, H5T_NATIVE_DOUBLE, p.times.data()) ||
      !append(p.node_ds.get(), 1, nullptr, p.written, n, H5T_NATIVE_UINT64, p.nodes.data())) {
    throw RecordingError(path, write_failure_cause(temp, errno) + " (appending spikes/" + p.name + ")");
  }
  p.written += n;
  p.times.clear();
  p.nodes.clear();
}

}  // namespace

void RecordingFile::begin_step(std::int64_t step) {
  Impl& m = *impl_;
  if (m.closed) throw RecordingError(path_, "recording already closed");
  if (m.first_step < 0) m.first_step = step;
  m.last_step = step;
}

void RecordingFile::add_flags(Population pop, std::int64_t step, std::span<const std::uint8_t> flags,
                              std::uint64_t first_id) {
  Events& p = impl_->pops[pop];
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (flags[i]) {
      p.times.push_back(static_cast<double>(step) * kStepMs);
      p.nodes.push_back(first_id + i);
    }
  }
  if (p.times.size() >= kFlushEvents) flush_population(p, path_, impl_->temp);
}

void RecordingFile::add_ids(Population pop, std::int64_t step, std::span<const std::uint64_t> ids) {
  Events& p = impl_->pops[pop];
  p.times.insert(p.times.end(), ids.size(), static_cast<double>(step) * kStepMs);
  p.nodes.insert(p.nodes.end(), ids.begin(), ids.end());
  if (p.times.size() >= kFlushEvents) flush_population(p, path_, impl_->temp);
}

bool RecordingFile::samples_at(std::int64_t step) const { return !shapes_.empty() && step % impl_->every == 0; }

void RecordingFile::write_sample(std::int64_t step) {
  Impl& m = *impl_;
  for (std::size_t i = 0; i < shapes_.size(); ++i) {
    const hsize_t row[2] = {static_cast<hsize_t>(shapes_[i].rows), static_cast<hsize_t>(shapes_[i].cols)};
    if (!append(m.slice_ds[i].get(), 3, row, m.samples, 1, H5T_NATIVE_FLOAT, samples_[i].data())) {
      throw RecordingError(path_, write_failure_cause(m.temp, errno) + " (appending potential samples)");
    }
  }
  if (!append(m.pot_steps.get(), 1, nullptr, m.samples, 1, H5T_NATIVE_INT64, &step)) {
    throw RecordingError(path_, write_failure_cause(m.temp, errno) + " (appending potential steps)");
  }
  ++m.samples;
}

void RecordingFile::close() {
  Impl& m = *impl_;
  if (m.closed) return;
  for (auto& p : m.pops) flush_population(p, path_, m.temp);
  const hid_t f = m.file.get();
  if (!write_i64_attr(f, "first_step", &m.first_step, 1) || !write_i64_attr(f, "last_step", &m.last_step, 1)) {
    throw RecordingError(path_, "cannot write the step range (" + write_failure_cause(m.temp, errno) + ")");
  }
  for (auto& p : m.pops) p = Events{};
  m.slice_ds.clear();
  m.pot_steps.reset();
  m.pot_group.reset();
  if (!m.file.close()) throw RecordingError(path_, "write failed (" + write_failure_cause(m.temp, errno) + ")");
  m.closed = true;
  try {
    commit_temp_file(m.temp, path_);
  } catch (const FileError& e) {
    const std::string what = e.what();
    throw RecordingError(path_, what.rfind(path_ + ": ", 0) == 0 ? what.substr(path_.size() + 2) : what);
  }
}

}  // namespace spikecube::io::detail
