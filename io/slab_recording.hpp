#pragma once
// Recording a run split over ranks (z-slabs of the lattice) into one file,
// the same file a one-process Recorder writes (layout in recording.hpp).
//
// Rank 0 writes; every recorded step it receives, rank by rank in plane
// order, the ids of the neurons that spiked in each slab (global ids, so
// the node_ids come out in the one-process order: by step, then by id), the
// output frame from the readout's rank, and on sampled steps each rank's
// rows of every potential slice (a z slice from the rank holding its plane,
// the planes of an x or y slice from each rank). Rank 0 never holds more
// than one rank's spikes of one step, the slices of one sample and the
// buffered events of one flush. Every call is collective; a failure on any
// rank throws the same RecordingError on every rank.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/rank_comm.hpp"
#include "io/recording.hpp"

namespace spikecube::io {

// One rank's part of a recorded step.
struct SlabStep {
  std::int64_t step = 0;
  // This rank's planes of the hidden lattice, index ((z - first) * ny + y) * nx + x:
  std::span<const std::uint8_t> spiked;  // 1 where the neuron spiked this step
  std::span<const float> potential;      // v / theta; read on sampled steps only
  const Frame* input = nullptr;          // rank 0: what the network saw
  const Frame* output = nullptr;         // the readout's rank: its output frame
};

class SlabRecorder {
 public:
  // Collective. header and opt the same on every rank (header.dims: the
  // whole lattice); slab: this rank's planes; output_rank: the rank that
  // holds the readout. Throws RecordingError on every rank when any fails.
  SlabRecorder(std::string path, const RecordingHeader& header, RecordOptions opt, Slab slab, int output_rank,
               RankComm& comm);
  // Without close(), rank 0's temporary file is removed and path untouched.
  ~SlabRecorder();
  SlabRecorder(const SlabRecorder&) = delete;
  SlabRecorder& operator=(const SlabRecorder&) = delete;

  // Collective: call on every rank after each step.
  void record(const SlabStep& part);
  // Collective: flushes, closes and renames the file (rank 0).
  void close();

  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spikecube::io
