#include "io/slab_recording.hpp"

#include <array>

#include "io/error_text.hpp"
#include "io/recording_file.hpp"
#include "io/slab_ranks.hpp"

namespace spikecube::io {
using detail::RecordingFile;
using detail::SliceShape;

namespace {
// Tags of the transfers to rank 0 (below any MPI_TAG_UB, which is >= 32767).
constexpr int kSlabTag = 23111, kSpikeTag = 23112, kFrameTag = 23113, kRowsTag = 23114;
}  // namespace

struct SlabRecorder::Impl {
  RankComm* comm = nullptr;
  Slab slab;
  Dims dims;
  int output_rank = 0;
  std::int64_t every = 1;
  std::vector<SliceShape> shapes;
  std::vector<Slab> slabs;              // rank 0: every rank's
  std::unique_ptr<RecordingFile> file;  // rank 0
  std::vector<std::uint64_t> ids;       // one rank's spikes of one step
  std::vector<float> rows;              // one rank's rows of one slice
  Frame frame;
  bool done = false;

  std::uint64_t plane_size() const { return static_cast<std::uint64_t>(dims.nx) * static_cast<std::uint64_t>(dims.ny); }
  std::string check(const SlabStep& part, bool sampled) const;
  void send_part(const SlabStep& part, bool sampled);
  void write_step(const SlabStep& part, bool sampled, std::string& err);
};

SlabRecorder::SlabRecorder(std::string path, const RecordingHeader& header, RecordOptions opt, Slab slab,
                           int output_rank, RankComm& comm)
    : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.comm = &comm;
  m.slab = slab;
  m.dims = header.dims;
  m.output_rank = output_rank;
  m.every = opt.every;
  std::string err;
  try {
    m.shapes = detail::slice_shapes(path_, header.dims, opt);
  } catch (const RecordingError& e) {
    err = detail::cause_after_path(e.what(), path_);
  }
  if (err.empty() && (output_rank < 0 || output_rank >= comm.size()))
    err = "the readout's rank " + std::to_string(output_rank) + " does not exist";
  if (err.empty() && slab.total != header.dims.nz)
    err = "rank " + std::to_string(comm.rank()) + " has a lattice of " + std::to_string(slab.total) +
          " planes, the header says " + std::to_string(header.dims.nz);
  m.slabs = detail::gather_slabs(slab, comm, kSlabTag);
  if (comm.rank() == 0 && err.empty()) {
    err = detail::check_tiling(m.slabs);
    if (err.empty()) {
      try {
        m.file = std::make_unique<RecordingFile>(path_, header, opt);
      } catch (const RecordingError& e) {
        err = detail::cause_after_path(e.what(), path_);
      }
    }
  }
  if (const std::string first = comm.first_error(err); !first.empty()) throw RecordingError(path_, first);
}

SlabRecorder::~SlabRecorder() = default;

// This rank's part must have its slab's size; a bad part is still sent (as
// no spikes and zero rows) so that rank 0 is not left waiting.
std::string SlabRecorder::Impl::check(const SlabStep& part, bool sampled) const {
  const std::string me = "rank " + std::to_string(comm->rank());
  const std::uint64_t cells = plane_size() * static_cast<std::uint64_t>(slab.count);
  if (part.spiked.size() != cells)
    return me + " recorded " + std::to_string(part.spiked.size()) + " spike flags, its slab has " +
           std::to_string(cells) + " neurons";
  if (sampled && part.potential.size() != cells)
    return me + " recorded " + std::to_string(part.potential.size()) + " potentials, its slab has " +
           std::to_string(cells) + " neurons";
  if (comm->rank() == output_rank && part.output == nullptr) return me + " holds the readout but gave no output frame";
  if (comm->rank() == 0 && part.input == nullptr) return me + " gave no input frame";
  return {};
}

void SlabRecorder::Impl::send_part(const SlabStep& part, bool sampled) {
  const bool good = check(part, sampled).empty();
  ids.clear();
  if (good) {
    const std::uint64_t first_id = plane_size() * static_cast<std::uint64_t>(slab.first);
    for (std::size_t i = 0; i < part.spiked.size(); ++i)
      if (part.spiked[i]) ids.push_back(first_id + i);
  }
  if (slab.count > 0) {
    std::uint64_t n = ids.size();
    comm->send(0, std::as_bytes(std::span(&n, 1)), kSpikeTag);
    comm->send(0, std::as_bytes(std::span(ids)), kSpikeTag);
  }
  if (comm->rank() == output_rank) {
    const Frame empty;
    const Frame& out = good ? *part.output : empty;
    std::uint64_t n = out.size();
    comm->send(0, std::as_bytes(std::span(&n, 1)), kFrameTag);
    comm->send(0, std::as_bytes(std::span(out)), kFrameTag);
  }
  if (!sampled) return;
  for (const SliceShape& shape : shapes) {
    const auto [first_row, count] = detail::slice_rows_in(shape, slab);
    if (count == 0) continue;
    rows.assign(static_cast<std::size_t>(count) * static_cast<std::size_t>(shape.cols), 0.0f);
    if (good) detail::fill_slice_rows(shape, dims, slab, part.potential, rows.data());
    comm->send(0, std::as_bytes(std::span(rows)), kRowsTag);
  }
}

// Receives every other rank's part of the step, whatever happens: after a
// failure (err set) it stops writing but still receives, so that no sender
// is left blocked.
void SlabRecorder::Impl::write_step(const SlabStep& part, bool sampled, std::string& err) {
  RecordingFile& f = *file;
  const auto attempt = [&](auto&& fn) {
    if (!err.empty()) return;
    try {
      fn();
    } catch (const RecordingError& e) {
      err = detail::cause_after_path(e.what(), f.path());
    }
  };
  const std::int64_t step = part.step;
  attempt([&] { f.begin_step(step); });
  for (int r : detail::plane_order(slabs)) {
    if (r == 0) {
      attempt(
          [&] { f.add_flags(RecordingFile::kHidden, step, part.spiked, plane_size() * std::uint64_t(slab.first)); });
      continue;
    }
    std::uint64_t n = 0;
    comm->recv(r, std::as_writable_bytes(std::span(&n, 1)), kSpikeTag);
    ids.resize(n);
    comm->recv(r, std::as_writable_bytes(std::span(ids)), kSpikeTag);
    attempt([&] { f.add_ids(RecordingFile::kHidden, step, ids); });
  }
  if (output_rank == 0) {
    attempt([&] { f.add_flags(RecordingFile::kOutput, step, *part.output, 0); });
  } else {
    std::uint64_t n = 0;
    comm->recv(output_rank, std::as_writable_bytes(std::span(&n, 1)), kFrameTag);
    frame.resize(n);
    comm->recv(output_rank, std::as_writable_bytes(std::span(frame)), kFrameTag);
    attempt([&] { f.add_flags(RecordingFile::kOutput, step, frame, 0); });
  }
  attempt([&] { f.add_flags(RecordingFile::kInput, step, *part.input, 0); });
  if (!sampled) return;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const SliceShape& shape = shapes[i];
    const auto cols = static_cast<std::size_t>(shape.cols);
    for (int r : detail::plane_order(slabs)) {
      const auto [first_row, count] = detail::slice_rows_in(shape, slabs[static_cast<std::size_t>(r)]);
      if (count == 0) continue;
      float* out = f.sample(i).data() + static_cast<std::size_t>(first_row) * cols;
      if (r == 0) attempt([&] { detail::fill_slice_rows(shape, dims, slab, part.potential, out); });
      else comm->recv(r, std::as_writable_bytes(std::span(out, static_cast<std::size_t>(count) * cols)), kRowsTag);
    }
  }
  attempt([&] { f.write_sample(step); });
}

void SlabRecorder::record(const SlabStep& part) {
  Impl& m = *impl_;
  if (m.done) throw RecordingError(path_, "recording already closed");
  const bool sampled = !m.shapes.empty() && part.step % m.every == 0;
  std::string err = m.check(part, sampled);
  if (m.comm->rank() == 0) m.write_step(part, sampled, err);
  else m.send_part(part, sampled);
  if (const std::string first = m.comm->first_error(err); !first.empty()) {
    m.done = true;
    throw RecordingError(path_, first);
  }
}
void SlabRecorder::close() {
  Impl& m = *impl_;
  if (m.done) return;
  m.done = true;
  std::string err;
  if (m.file) {
    try {
      m.file->close();
    } catch (const RecordingError& e) {
      err = detail::cause_after_path(e.what(), path_);
    }
  }
  if (const std::string first = m.comm->first_error(err); !first.empty()) throw RecordingError(path_, first);
}

}  // namespace spikecube::io
