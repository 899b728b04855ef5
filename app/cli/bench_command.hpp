#pragma once
// `spikecube-cli bench`: the performance scenarios of the README's Performance section
// (details in docs/cube.md and docs/groups.md, section Benchmark).

#include <cstdint>
#include <string>
#include <vector>

#include "core/rank_comm.hpp"

namespace spikecube::cli {

struct BenchOptions {
  std::string model = "layer";
  int n = 48;
  int depth = 48;
  int group = 4;
  std::int64_t steps = 0;  // 0 = the scenario's default
  int threads = 1;
  bool scaling = false;
  bool threads_given = false;                // --scaling: only this thread count, not 1 and 2
  std::vector<int> sides{32, 64, 128, 256};  // --scaling: cube sides
  int repeat = 3;                            // --scaling: runs per row; the median is reported
  std::string json_path;                     // --json: append a record of the run (bench_record.hpp)
  std::vector<std::string> command_line;     // for the record
};

// comm: the ranks under mpirun (only --model cube --scaling is split over them)
int bench_command(const BenchOptions& opt, RankComm& comm = single_rank());

}  // namespace spikecube::cli
