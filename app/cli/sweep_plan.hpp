#pragma once
// The pure part of `spikecube-cli sweep`: what runs a sweep is made of, how
// its results are keyed and how they are summarised. No processes, no files,
// so every rule here is unit-tested on its own (tests/cli/test_sweep_plan.cpp).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace spikecube::cli {

// One --grid KEY=V1,V2,...: a config key and the values it takes, in order.
struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

// Parses "section.key=v1,v2"; throws ConfigError naming the option.
GridAxis parse_grid_axis(const std::string& text);
// Parses "0-4", "0,3,7" or a mix ("0-2,9"); throws ConfigError.
std::vector<std::uint64_t> parse_seed_list(const std::string& text);

// One run of the sweep: a value per grid axis (same order as the axes) and a seed.
struct SweepRun {
  std::vector<std::string> values;
  std::uint64_t seed = 0;
  // "model.depth=8 stdp.w_max=0.1 seed=3": the run's identity in results.csv
  std::string label(const std::vector<GridAxis>& axes) const;
  // a folder name made of the same parts, safe on any file system
  std::string folder(const std::vector<GridAxis>& axes) const;
};

// Every combination x seed: the first axis varies slowest, seeds fastest, so
// a combination's seeds run next to each other.
std::vector<SweepRun> expand_sweep(const std::vector<GridAxis>& axes, const std::vector<std::uint64_t>& seeds);

// The config of one run: base, then the run's grid values as --set would
// apply them, then its seed; validated. Throws ConfigError naming the key.
Config config_for_run(const Config& base, const std::vector<GridAxis>& axes, const SweepRun& run);

// results.csv: a header and rows of named fields (the grid keys, seed,
// status, then every field of the run's summary.json in its order).
struct ResultTable {
  std::vector<std::string> columns;
  std::vector<std::map<std::string, std::string>> rows;

  void add(const std::map<std::string, std::string>& row, const std::vector<std::string>& order);
  std::string to_csv() const;
  static ResultTable from_csv(const std::string& text);  // throws ConfigError on a malformed file
  // the row whose grid values and seed are those of `run`, if any
  const std::map<std::string, std::string>* find(const std::vector<GridAxis>& axes, const SweepRun& run) const;
};

// Reads the flat JSON object summary.json is (string, number and bool
// values), keeping the keys in file order.
std::vector<std::pair<std::string, std::string>> read_flat_json(const std::string& text);

// Median, min and max of a metric over a combination's seeds. A learning time
// of -1 means "never reached": it sorts above every step count.
struct Spread {
  int count = 0;
  double median = 0, min = 0, max = 0;
};
Spread spread_of(std::vector<double> values, bool minus_one_is_never);

// table.md: per combination, median [min, max] over its seeds of
// first_iou80, resume_iou80, iou100_final and fire_final.
std::string summary_table(const std::vector<GridAxis>& axes, const ResultTable& results);

}  // namespace spikecube::cli
