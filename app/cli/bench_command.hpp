#pragma once
// `spikecube-cli bench`: the performance scenarios of DESIGN section 6.

#include <cstdint>
#include <string>

namespace spikecube::cli {

struct BenchOptions {
  std::string model = "layer";
  int n = 48;
  int depth = 48;
  int group = 4;
  std::int64_t steps = 0;   // 0 = the scenario's default
  int threads = 1;
  bool scaling = false;
};

int bench_command(const BenchOptions& opt);

}  // namespace spikecube::cli
