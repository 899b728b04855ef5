#include "io/recording.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/atomic_file.hpp"
#include "core/output_target.hpp"
#include "io/h5util.hpp"

namespace spikecube::io {
namespace {
using namespace detail;

constexpr hsize_t kChunk = 1 << 15;            // events per chunk of a spike dataset
constexpr std::size_t kFlushEvents = 1 << 16;  // buffered events before a write

// chunked, extendible, compressed 1-D dataset of `type`
Handle make_events(hid_t group, const char* name, hid_t type) {
  const hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {kChunk};
  Handle s = space_h(H5Screate_simple(1, dims, maxdims));
  Handle dcpl = plist_h(H5Pcreate(H5P_DATASET_CREATE));
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

struct Population {
  std::string name;
  Handle group, time_ds, node_ds;
  std::vector<double> times;  // ms
  std::vector<std::uint64_t> nodes;
  hsize_t written = 0;
};

struct SliceOut {
  RecordSlice slice;
  int rows = 0, cols = 0;
  Handle ds;
  std::vector<float> buf;
};

}  // namespace

RecordSlice parse_record_slice(const std::string& text) {
  const auto bad = [&] {
    return std::invalid_argument("--record-slice " + text +
                                 ": expected AXIS:INDEX with AXIS x, y or z and INDEX >= 0, e.g. z:0");
  };
  if (text.size() < 3 || text[1] != ':' || (text[0] != 'x' && text[0] != 'y' && text[0] != 'z')) throw bad();
  const std::string num = text.substr(2);
  if (num.empty() || num.size() > 9 ||
      !std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw bad();
  return {text[0], std::stoi(num)};
}

struct Recorder::Impl {
  std::string temp;
  Handle file;
  Population pops[3];
  Handle pot_group, pot_steps;
  std::vector<SliceOut> slices;
  hsize_t samples = 0;
  std::int64_t every = 10, first_step = -1, last_step = -1;
  Dims dims;
  NeuronView view;
  bool closed = false;
};

Recorder::Recorder(std::string path, const Simulation& sim, RecordOptions opt)
    : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  silence_hdf5_errors();
  Impl& m = *impl_;
  const auto fail = [&](const std::string& cause) { throw RecordingError(path_, cause); };
  if (opt.every < 1) fail("--record-every must be at least 1");
  m.every = opt.every;
  m.dims = sim.model().dims();
  for (const auto& s : opt.slices) {
    const int extent = s.axis == 'x' ? m.dims.nx : s.axis == 'y' ? m.dims.ny : m.dims.nz;
    if (s.index < 0 || s.index >= extent) {
      fail(std::string("slice ") + s.axis + ":" + std::to_string(s.index) + " is outside the lattice (" + s.axis +
           " in [0, " + std::to_string(extent - 1) + "])");
    }
    SliceOut so;
    so.slice = s;
    so.rows = s.axis == 'z' ? m.dims.ny : m.dims.nz;
    so.cols = s.axis == 'x' ? m.dims.ny : m.dims.nx;
    so.buf.resize(static_cast<std::size_t>(so.rows) * static_cast<std::size_t>(so.cols));
    m.slices.push_back(std::move(so));
  }

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
    m.file = file_h(H5Fcreate(m.temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!m.file.ok()) fail("cannot create HDF5 file");
    const hid_t f = m.file.get();
    const Config& cfg = sim.config();
    const std::string toml = to_toml(cfg);
    const std::int64_t version = 2, seed = static_cast<std::int64_t>(cfg.seed);
    const std::int64_t nx = m.dims.nx, ny = m.dims.ny, nz = m.dims.nz, n = cfg.n;
    bool ok = write_text_attr(f, "format", "spikecube-recording") && write_i64_attr(f, "format_version", &version, 1) &&
              write_text_attr(f, "model", std::string(sim.model().kind())) && write_i64_attr(f, "seed", &seed, 1) &&
              write_i64_attr(f, "nx", &nx, 1) && write_i64_attr(f, "ny", &ny, 1) && write_i64_attr(f, "nz", &nz, 1) &&
              write_i64_attr(f, "n", &n, 1) && write_i64_attr(f, "record_every", &m.every, 1) &&
              write_text_attr(f, "neuron_index", "hidden: (z*ny + y)*nx + x; input/output: y*n + x") &&
              write_f64_attr(f, "step_ms", kStepMs) && write_text_attr(f, "config", toml);
    {
      Handle t = string_type(toml.size());
      Handle s = space_h(H5Screate(H5S_SCALAR));
      Handle d = dataset_h(H5Dcreate2(f, "config", t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      ok = ok && d.ok() && H5Dwrite(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, toml.c_str()) >= 0;
    }
    if (!ok) fail("cannot write the header");
    Handle spikes = group_h(H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    const char* names[3] = {"hidden", "output", "input"};
    for (int k = 0; k < 3; ++k) {
      Population& p = m.pops[k];
      p.name = names[k];
      p.group = group_h(H5Gcreate2(spikes.get(), names[k], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      if (!p.group.ok()) fail("cannot create group spikes/" + p.name);
      p.time_ds = make_events(p.group.get(), "timestamps", H5T_IEEE_F64LE);
      p.node_ds = make_events(p.group.get(), "node_ids", H5T_STD_U64LE);
      if (!p.time_ds.ok() || !p.node_ds.ok() || !write_text_attr(p.time_ds.get(), "units", "ms") ||
          !write_sorting_attr(p.group.get())) {
        fail("cannot create spikes/" + p.name + " datasets");
      }
    }
    if (!m.slices.empty()) {
      m.pot_group = group_h(H5Gcreate2(f, "potential", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      if (!m.pot_group.ok()) fail("cannot create group potential");
      write_text_attr(m.pot_group.get(), "units", "v/theta (1 = at threshold)");
      m.pot_steps = make_events(m.pot_group.get(), "step", H5T_STD_I64LE);
      for (auto& so : m.slices) {
        // built with append: gcc 12 warns (-Wrestrict, a false positive) on char + string concatenation
        std::string name(1, so.slice.axis);
        name.append(std::to_string(so.slice.index));
        if (H5Lexists(m.pot_group.get(), name.c_str(), H5P_DEFAULT) > 0) fail("slice " + name + " given twice");
        const auto rows = static_cast<hsize_t>(so.rows), cols = static_cast<hsize_t>(so.cols);
        const hsize_t dims[3] = {0, rows, cols}, maxdims[3] = {H5S_UNLIMITED, rows, cols};
        const hsize_t chunk[3] = {std::max<hsize_t>(1, std::min<hsize_t>(16, (1u << 16) / (rows * cols))), rows, cols};
        Handle s = space_h(H5Screate_simple(3, dims, maxdims));
        Handle dcpl = plist_h(H5Pcreate(H5P_DATASET_CREATE));
        H5Pset_chunk(dcpl.get(), 3, chunk);
        so.ds = dataset_h(
            H5Dcreate2(m.pot_group.get(), name.c_str(), H5T_IEEE_F32LE, s.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
        if (!so.ds.ok()) fail("cannot create potential/" + name);
      }
    }
  } catch (...) {
    m.file.reset();
    std::remove(m.temp.c_str());
    throw;
  }
}

Recorder::~Recorder() {
  if (impl_ && !impl_->closed) {
    // abandoned: empty the file first, so that HDF5 can close it even when a
    // full disk is why it was abandoned, then drop every handle and remove it
    if (!impl_->temp.empty()) {
      [[maybe_unused]] const int rc = ::truncate(impl_->temp.c_str(), 0);
    }
    for (auto& p : impl_->pops) p = Population{};
    impl_->slices.clear();
    impl_->pot_steps.reset();
    impl_->pot_group.reset();
    impl_->file.reset();
    std::remove(impl_->temp.c_str());
  }
}

namespace {

void flush_population(Population& p, const std::string& path, const std::string& temp) {
  const hsize_t n = p.times.size();
  if (!append(p.time_ds.get(), 1, nullptr, p.written, n, H5T_NATIVE_DOUBLE, p.times.data()) ||
      !append(p.node_ds.get(), 1, nullptr, p.written, n, H5T_NATIVE_UINT64, p.nodes.data())) {
    throw RecordingError(path, write_failure_cause(temp, errno) + " (appending spikes/" + p.name + ")");
  }
  p.written += n;
  p.times.clear();
  p.nodes.clear();
}

void add_frame(Population& p, std::int64_t step, const Frame& f) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i]) {
      p.times.push_back(static_cast<double>(step) * kStepMs);
      p.nodes.push_back(i);
    }
  }
}

}  // namespace

void Recorder::record(const Simulation& sim) {
  Impl& m = *impl_;
  if (m.closed) throw RecordingError(path_, "recording already closed");
  const std::int64_t step = sim.step_count();
  if (m.first_step < 0) m.first_step = step;
  m.last_step = step;
  const Model& model = sim.model();
  model.view(m.view, static_cast<int>(std::min<std::int64_t>(m.dims.count(), INT_MAX)));
  const auto count = static_cast<std::size_t>(m.dims.count());
  if (m.view.stride != 1 || m.view.spiked.size() != count || m.view.potential.size() != count) {
    throw RecordingError(path_, "the model's view is sub-sampled; cannot record every neuron");
  }
  Population& hidden = m.pops[0];
  for (std::size_t i = 0; i < count; ++i) {
    if (m.view.spiked[i]) {
      hidden.times.push_back(static_cast<double>(step) * kStepMs);
      hidden.nodes.push_back(i);
    }
  }
  add_frame(m.pops[1], step, sim.output_frame());
  add_frame(m.pops[2], step, sim.input_frame());
  for (auto& p : m.pops)
    if (p.times.size() >= kFlushEvents) flush_population(p, path_, m.temp);

  if (!m.slices.empty() && step % m.every == 0) {
    const std::size_t nx = static_cast<std::size_t>(m.dims.nx), ny = static_cast<std::size_t>(m.dims.ny);
    for (auto& so : m.slices) {
      const auto k = static_cast<std::size_t>(so.slice.index);
      std::size_t o = 0;
      for (int r = 0; r < so.rows; ++r) {
        for (int c = 0; c < so.cols; ++c) {
          const auto rr = static_cast<std::size_t>(r), cc = static_cast<std::size_t>(c);
          std::size_t x = 0, y = 0, z = 0;
          if (so.slice.axis == 'z') {
            z = k;
            y = rr;
            x = cc;
          } else if (so.slice.axis == 'y') {
            y = k;
            z = rr;
            x = cc;
          } else {
            x = k;
            z = rr;
            y = cc;
          }
          so.buf[o++] = m.view.potential[(z * ny + y) * nx + x];
        }
      }
      const hsize_t row[2] = {static_cast<hsize_t>(so.rows), static_cast<hsize_t>(so.cols)};
      if (!append(so.ds.get(), 3, row, m.samples, 1, H5T_NATIVE_FLOAT, so.buf.data())) {
        throw RecordingError(path_, write_failure_cause(m.temp, errno) + " (appending potential samples)");
      }
    }
    if (!append(m.pot_steps.get(), 1, nullptr, m.samples, 1, H5T_NATIVE_INT64, &step)) {
      throw RecordingError(path_, write_failure_cause(m.temp, errno) + " (appending potential steps)");
    }
    ++m.samples;
  }
}

void Recorder::close() {
  Impl& m = *impl_;
  if (m.closed) return;
  for (auto& p : m.pops) flush_population(p, path_, m.temp);
  const hid_t f = m.file.get();
  if (!write_i64_attr(f, "first_step", &m.first_step, 1) || !write_i64_attr(f, "last_step", &m.last_step, 1)) {
    throw RecordingError(path_, "cannot write the step range (" + write_failure_cause(m.temp, errno) + ")");
  }
  for (auto& p : m.pops) p = Population{};
  m.slices.clear();
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

}  // namespace spikecube::io
