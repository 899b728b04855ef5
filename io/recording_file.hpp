#pragma once
// The recording file (layout in recording.hpp), written by the one-process
// Recorder and by rank 0 of a SlabRecorder. It takes spikes as flags or ids
// and potential slices row range by row range, so that a writer that
// receives a run piece by piece (rank by rank) writes the same content as
// one that sees the whole lattice. Internal to spikecube_io.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/frame.hpp"
#include "core/model.hpp"
#include "core/rank_comm.hpp"
#include "io/recording.hpp"

namespace spikecube::io::detail {

// One sampled plane and the shape of its samples (rows x cols, row-major).
struct SliceShape {
  RecordSlice slice;
  int rows = 0, cols = 0;
};

// The rows [first, first + count) of a slice that a slab of planes holds:
// all of a z slice when the slab holds its plane, else none; the slab's
// planes (rows are z) of an x or y slice.
std::pair<int, int> slice_rows_in(const SliceShape& shape, const Slab& slab);
// Fills those rows (rows_out: the first of them, row-major) from the slab's
// potentials (its planes, index ((z - first) * ny + y) * nx + x).
void fill_slice_rows(const SliceShape& shape, const Dims& dims, const Slab& slab, std::span<const float> potential,
                     float* rows_out);
// Checks the slices against the lattice; throws RecordingError naming path.
std::vector<SliceShape> slice_shapes(const std::string& path, const Dims& dims, const RecordOptions& opt);

class RecordingFile {
 public:
  enum Population { kHidden, kOutput, kInput };

  // Checks the slices, creates the temporary file and writes the header.
  // Throws RecordingError.
  RecordingFile(std::string path, const RecordingHeader& header, const RecordOptions& opt);
  // Without close(), the temporary file is removed and path is untouched.
  ~RecordingFile();
  RecordingFile(const RecordingFile&) = delete;
  RecordingFile& operator=(const RecordingFile&) = delete;

  // Call once per recorded step, before its spikes.
  void begin_step(std::int64_t step);
  // Spikes of one step: ids first_id + i where flags[i] != 0 ...
  void add_flags(Population pop, std::int64_t step, std::span<const std::uint8_t> flags, std::uint64_t first_id);
  // ... or as ids (ascending within the step).
  void add_ids(Population pop, std::int64_t step, std::span<const std::uint64_t> ids);

  // Whether step samples the potential slices.
  bool samples_at(std::int64_t step) const;
  const std::vector<SliceShape>& slices() const { return shapes_; }
  // The sample being assembled for slice i (rows x cols); write_sample
  // appends every slice's sample and the step.
  std::span<float> sample(std::size_t i) { return samples_[i]; }
  void write_sample(std::int64_t step);

  // Flushes, closes and renames the file to its path. Throws RecordingError.
  void close();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::string path_;
  std::vector<SliceShape> shapes_;
  std::vector<std::vector<float>> samples_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spikecube::io::detail
