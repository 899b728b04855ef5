#include "app/cli/bench_command.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>

#include "core/cube_model.hpp"
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

// The cube benchmark scenario (DESIGN 2.3): events per step are the spikes'
// outgoing links (current) plus every link with a spiking end (STDP).
struct CubeBench {
  BenchResult r;
  double syn_events_per_s = 0;
  double bytes_per_neuron = 0;
  int threads = 1;
};

CubeBench run_cube(int n, int depth, int threads, std::int64_t steps, std::int64_t warmup, bool readout) {
  Config cfg = cube_benchmark_config(n, depth, threads);
  cfg.readout_enabled = readout;
  Simulation sim(cfg);
  CubeBench b;
  b.r = time_steps(sim, steps, warmup);
  // an interior spike feeds 6 links and changes its 12 links; faces have fewer
  b.syn_events_per_s = b.r.spikes_per_step * 6.0 * b.r.steps_per_s;
  b.bytes_per_neuron = static_cast<double>(sim.model().state_bytes()) / static_cast<double>(sim.model().dims().count());
  b.threads = static_cast<const CubeModel&>(sim.model()).threads();
  return b;
}

int bench_cube(const BenchOptions& opt) {
  if (!opt.scaling) {
    const std::int64_t steps = opt.steps > 0 ? opt.steps : 2000;
    // warm-up lets the dot's wave and the STDP settle before timing
    const CubeBench b = run_cube(opt.n, opt.depth, opt.threads, steps, 200, true);
    std::cout << "model=cube n=" << opt.n << " L=" << opt.depth << " steps=" << steps << " threads=" << b.threads
              << " (lattice + STDP on all links + readout)\n";
    std::cout << "steps_per_s=" << static_cast<long long>(b.r.steps_per_s) << " spikes_per_step=" << b.r.spikes_per_step
              << " syn_events_per_s=" << std::setprecision(4) << b.syn_events_per_s
              << " bytes_per_neuron=" << b.bytes_per_neuron << std::endl;
    return 0;
  }
  // scaling: readout off (its n^2 x n^2 matrix would not fit at n = 256);
  // fewer steps for big cubes so the table takes a few minutes at most
  std::cout << "side  neurons      threads  steps  steps_per_s  ns_per_neuron_step  spikes_frac  bytes_per_neuron\n";
  for (int side : {32, 64, 128, 256}) {
    const double neurons = std::pow(static_cast<double>(side), 3);
    const auto steps = static_cast<std::int64_t>(std::max(20.0, std::min(2000.0, 4.0e8 / neurons)));
    for (int threads : {1, 2}) {
      const CubeBench b = run_cube(side, side, threads, steps, std::max<std::int64_t>(10, steps / 10), false);
      std::cout << std::setw(4) << side << "  " << std::setw(11) << static_cast<long long>(neurons) << "  " << std::setw(7)
                << threads << "  " << std::setw(5) << steps << "  " << std::setw(11) << std::fixed << std::setprecision(1)
                << b.r.steps_per_s << "  " << std::setw(18) << std::setprecision(3) << 1e9 / (b.r.steps_per_s * neurons)
                << "  " << std::setw(11) << std::setprecision(4) << b.r.spikes_per_step / neurons << "  " << std::setw(16)
                << std::setprecision(2) << b.bytes_per_neuron << std::defaultfloat << std::endl;
    }
  }
  return 0;
}

}  // namespace

int bench_command(const BenchOptions& opt) {
  try {
    if (opt.model == "layer") return bench_layer(opt);
    if (opt.model == "cube") return bench_cube(opt);
    std::cerr << "spikecube-cli: --model " << opt.model << ": not available in this build; expected one of {layer, cube}\n";
    return 2;
  } catch (const ConfigError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace spikecube::cli
