#include "app/cli/bench_command.hpp"

#include <chrono>
#include <iostream>

#include "core/simulation.hpp"

namespace spikecube::cli {
namespace {

struct BenchResult {
  double steps_per_s = 0;
  double spikes_per_step = 0;
};

// Runs warm-up steps, then times `steps` steps of the simulation.
BenchResult time_steps(Simulation& sim, std::int64_t steps, std::int64_t warmup) {
  for (std::int64_t i = 0; i < warmup; ++i) sim.step();
  const double neurons = static_cast<double>(sim.model().dims().count());
  double spikes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < steps; ++i) {
    sim.step();
    spikes += sim.last().fire * neurons;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {static_cast<double>(steps) / secs, spikes / static_cast<double>(steps)};
}

int bench_layer(const BenchOptions& opt) {
  Config cfg = load_preset("01_01");
  cfg.n = opt.n;
  Simulation sim(cfg);
  // the timed window starts after the chaos phase, where firing is highest
  const std::int64_t steps = opt.steps > 0 ? opt.steps : 5000;
  const BenchResult r = time_steps(sim, steps, 1000);
  std::cout << "model=layer n=" << cfg.n << " steps=" << steps << " threads=1\n";
  std::cout << "steps_per_s=" << static_cast<long long>(r.steps_per_s) << " spikes_per_step=" << r.spikes_per_step
            << std::endl;
  return 0;
}

}  // namespace

int bench_command(const BenchOptions& opt) {
  try {
    if (opt.model == "layer") return bench_layer(opt);
    std::cerr << "spikecube-cli: --model " << opt.model << ": not available in this build; expected one of {layer}\n";
    return 2;
  } catch (const ConfigError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace spikecube::cli
