#pragma once
// `spikecube-cli run`: one headless experiment from a preset or config file,
// writing metrics.csv, layers.csv (multi-layer models), config.toml and
// summary.json into the output folder.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace spikecube::cli {

struct RunOptions {
  std::string preset;
  std::string config_path;
  std::optional<std::int64_t> steps;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;
  std::vector<std::string> overrides;   // --set key=value, in order
  std::vector<std::string> input_off;   // --input-off A:B
  std::string out_dir;
  bool quiet = false;
};

// Builds the resolved config: preset or file (default preset 01_01), then
// --set, --steps, --seed, --threads, --input-off. Throws ConfigError.
Config resolve_config(const RunOptions& opt);

// Returns the process exit code (0 ok, 2 bad input, 3 model fault).
int run_command(const RunOptions& opt);

}  // namespace spikecube::cli
