#pragma once
// Recordings: what a run did, step by step, in an HDF5 file that h5py opens.
//
// Layout (format "spikecube-recording", format_version 2). The spikes follow
// the SONATA spike-file layout, so tools that read SONATA spikes (NEST,
// NEURON, Arbor, BMTK) read them as they are; the rest is spikecube's own.
//   /                       attributes format, format_version, model, seed,
//                           nx, ny, nz, n (input grid side), record_every,
//                           first_step, last_step, neuron_index, step_ms (1.0)
//   /config                 the resolved config (TOML text, scalar string);
//                           also the root attribute "config"
//   /spikes/<pop>           one group per population of neurons, attribute
//                           sorting (HDF5 enum none/by_id/by_time over int8;
//                           always by_time: spikes are appended step by step)
//   /spikes/<pop>/timestamps  float64 [events]  spike time in ms, attribute
//                           units = "ms"; one step is 1 ms, so the spike of
//                           step t (1-based) has timestamp t
//   /spikes/<pop>/node_ids  uint64 [events]  index of the spiking unit
//       pop = hidden: neuron i = (z*ny + y)*nx + x of the hidden lattice
//       pop = output: readout pixel y*n + x that was lit
//       pop = input:  input pixel y*n + x that was lit (what the network saw)
//   /potential/step         int64 [samples] steps at which slices were sampled
//   /potential/<axis><k>    float32 [samples, rows, cols] membrane potential
//                           relative to threshold (v/theta, 1 = at threshold)
//       z<k>: rows y, cols x;  y<k>: rows z, cols x;  x<k>: rows z, cols y
//
// Spike datasets are chunked, extendible and compressed; rows are appended
// as the run goes. The file is written under a temporary name and renamed
// to its path by close(), so a reader never sees a half-written recording.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/simulation.hpp"

namespace spikecube::io {

// A recording could not be opened or written. what() is "PATH: cause".
class RecordingError : public std::runtime_error {
 public:
  RecordingError(const std::string& path, const std::string& cause) : std::runtime_error(path + ": " + cause) {}
};

// One plane of the hidden lattice: axis 'x', 'y' or 'z' at index.
struct RecordSlice {
  char axis = 'z';
  int index = 0;
};

// Parses "z:0" (also "x:5", "y:12"). Throws std::invalid_argument naming
// the text and the expected form.
RecordSlice parse_record_slice(const std::string& text);

struct RecordOptions {
  std::int64_t every = 10;          // sample potentials when step % every == 0
  std::vector<RecordSlice> slices;  // planes whose potentials are sampled
};

// What the header of a recording says about the run.
struct RecordingHeader {
  std::string model, config_toml;
  std::int64_t seed = 0, n = 0;  // n: side of the input and output grids
  Dims dims;                     // the whole hidden lattice
};
RecordingHeader recording_header(const Simulation& sim);

class Recorder {
 public:
  // Creates the (temporary) file and writes the header. Throws
  // RecordingError for an unwritable path or a slice outside the lattice.
  Recorder(std::string path, const Simulation& sim, RecordOptions opt);
  // Without close(), the temporary file is removed and path is untouched.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Call after each Simulation::step(). Throws RecordingError.
  void record(const Simulation& sim);
  // Flushes, closes and renames the file to its path. Throws RecordingError.
  void close();

  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spikecube::io
