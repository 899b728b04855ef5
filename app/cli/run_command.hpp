#pragma once
// `spikecube-cli run`: one headless experiment from a preset or config file,
// writing metrics.csv, layers.csv (multi-layer models), config.toml and
// summary.json into the output folder, plus optional HDF5 checkpoints and
// recordings (io/).
//
// Exit codes: 0 ok; 2 bad input (config, options, unreadable checkpoint,
// unwritable output); 3 model fault (NaN/inf or runaway firing: the state at
// the fault is saved to OUT/fault.h5, or beside --checkpoint as
// NAME_fault.h5); 130 / 143 interrupted by SIGINT / SIGTERM (the current step
// finishes, then the checkpoint, recording and output files are written).
// A second SIGINT/SIGTERM ends the process at once.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/rank_comm.hpp"

namespace spikecube::cli {

struct RunOptions {
  std::string preset;
  std::string config_path;
  std::optional<std::int64_t> steps;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;
  std::vector<std::string> overrides;  // --set key=value, in order
  std::vector<std::string> input_off;  // --input-off A:B
  std::vector<std::string> replay;     // --replay A:B
  std::string out_dir;
  bool quiet = false;

  std::string checkpoint_path;             // --checkpoint: written at the end
  std::int64_t checkpoint_every = 0;       // --checkpoint-every N: also PATH_<step>.h5 every N steps
  std::string resume_path;                 // --resume: start from this checkpoint
  std::string record_path;                 // --record: HDF5 recording of spikes (+ potentials)
  std::int64_t record_every = 10;          // --record-every K: potential sampling interval
  std::vector<std::string> record_slices;  // --record-slice AXIS:INDEX (repeatable)
};

// The numbered name --checkpoint-every uses: ck.h5, 500 -> ck_000500.h5.
std::string numbered_checkpoint_path(const std::string& path, std::int64_t step);

// Builds the resolved config: preset or file (default preset 01_01), then
// --set, --steps, --seed, --threads, --input-off. Throws ConfigError.
Config resolve_config(const RunOptions& opt);

// Returns the process exit code (0 ok, 2 bad input, 3 model fault).
// comm: the ranks of a run under mpirun (the lattice split over them; only
// rank 0 prints and writes files, every rank ends with the same exit code
// on bad input). Checkpoints and recordings need one rank.
int run_command(const RunOptions& opt, RankComm& comm = single_rank());

}  // namespace spikecube::cli
