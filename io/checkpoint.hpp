#pragma once
// Checkpoints: the full state of a Simulation (config, model kind, step,
// stimulus, input switch, metric windows and every model array) in one HDF5
// file, so that run(A+B) equals run(A), save, load, run(B) bit for bit.
//
// File layout (format version kCheckpointVersion):
//   bytes 0..511   user block: magic "SPIKECUBE-CKPT\n", format version,
//                  file size and a 64-bit checksum of bytes 512..end. It is
//                  checked before the HDF5 library ever parses the file, so a
//                  truncated, corrupted or foreign file is rejected with a
//                  clear message instead of reaching HDF5's parser.
//   HDF5 content   root attributes format = "spikecube-checkpoint",
//                  format_version, model, step; groups /f32, /f64, /i64, /u8
//                  (one 1-D dataset per archive array) and /text (one scalar
//                  string dataset per text field). h5py opens the file as is.
//
// Writes go to a temporary file beside the destination and are renamed over
// it only when complete, so an interrupted write never leaves a half file.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/simulation.hpp"
#include "core/state_archive.hpp"

namespace spikecube::io {

inline constexpr std::uint32_t kCheckpointVersion = 1;

// Any failure to read or write a checkpoint. what() is one line,
// "PATH: cause"; path() and cause() give the two parts.
class CheckpointError : public std::runtime_error {
 public:
  CheckpointError(std::string path, std::string cause);
  const std::string& path() const { return path_; }
  const std::string& cause() const { return cause_; }

 private:
  std::string path_, cause_;
};

// Writes the archive atomically. Array names must not contain '/'.
void write_archive(const std::string& path, const StateArchive& archive);
// Reads and verifies a whole file; throws CheckpointError and never returns
// a partly read archive.
StateArchive read_archive(const std::string& path);

// Saves sim's full state to path (atomic). Throws CheckpointError.
void save_checkpoint(const std::string& path, const Simulation& sim);

// Replaces sim's state with the checkpoint's. The checkpoint must hold the
// same model kind and sizes as sim's config. Throws CheckpointError (bad or
// incompatible file, another model) and then leaves sim unchanged.
void load_checkpoint(const std::string& path, Simulation& sim);

// Builds a Simulation from the config stored in the checkpoint and loads its
// state: resuming without the original config. Throws CheckpointError.
std::unique_ptr<Simulation> open_checkpoint(const std::string& path);

// Checks that path can be created as a file (its folder exists and is
// writable, and path is not a folder) without leaving anything behind.
// Throws CheckpointError naming path.
void probe_writable(const std::string& path);

}  // namespace spikecube::io
