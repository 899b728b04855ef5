#pragma once
// `spikecube-cli sweep`: every combination of --grid values x every seed,
// each as its own `spikecube-cli run` process (one thread each, --jobs at a
// time), collected into OUT/results.csv (one row per run: grid values, seed,
// status and every summary.json field, state_hash included) and OUT/table.md
// (per combination: median [min, max] over seeds of the learning figures).
//
// Runs are separate processes so that a run that faults or is killed costs
// only itself, and so that each run is exactly the `run` a user would type:
// its state_hash is that of the same single run. results.csv is rewritten
// atomically after every finished run, so Ctrl-C (or a crash of the sweep)
// leaves a valid file; the same command run again skips the runs already in
// it. OUT/sweep.txt records the fixed part of the sweep (base config, steps,
// --set, grid keys): a second sweep with other fixed settings into the same
// folder is refused instead of mixing results.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spikecube::cli {

struct SweepOptions {
  std::string preset;
  std::string config_path;
  std::vector<std::string> grid;  // --grid KEY=V1,V2,... (repeatable)
  std::string seeds = "0";        // --seeds 0-4 or 0,3,7
  // steps and jobs arrive range-checked: main.cpp parses them with
  // parse_flag_for_key / parse_flag_integer, as it does run's flags
  std::optional<std::int64_t> steps;
  std::vector<std::string> overrides;  // --set key=value for every run
  std::optional<int> jobs;             // runs at a time; default: all cores
  std::string out_dir;
  bool quiet = false;
};

// Returns the exit code: 0 all runs done (a run that faulted is a result,
// status "fault"), 2 bad input or a run that could not start, 130 / 143
// interrupted (finished runs are kept).
int sweep_command(const SweepOptions& opt);

}  // namespace spikecube::cli
