// `mpirun -np R spikecube-cli bench --model cube|groups [--scaling]`: the
// lattice benches of bench_command.cpp with the lattice split over R ranks
// (slabs of z-planes), and what the split costs: per rank, the seconds of
// computing and of waiting for the halo planes, and the halo bytes per step.
#include "app/cli/bench_ranks.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <vector>

#include "core/cube_model.hpp"
#include "core/simulation.hpp"

namespace spikecube::cli {
namespace {

struct RankRun {
  double wall_s = 0;                 // the slowest rank's
  std::vector<double> compute_s;     // per rank: timed wall time less every wait for other ranks
  std::vector<double> halo_wait_s;   // per rank: waits for the halo planes
  std::vector<double> comm_wait_s;   // per rank: every wait (halo, reductions, broadcasts)
  std::vector<std::int64_t> planes;  // per rank: first, count
  double halo_bytes_per_step = 0;    // all ranks together
  double spikes_per_step = 0;
  int threads = 1;
};

RankRun run_ranks(const Config& cfg, std::int64_t steps, std::int64_t warmup, RankComm& comm) {
  Simulation sim(cfg, comm);
  const auto& model = static_cast<const CubeModel&>(sim.model());
  for (std::int64_t i = 0; i < warmup; ++i) sim.step();
  comm.barrier();
  const double neurons = static_cast<double>(model.dims().count());
  const std::int64_t bytes0 = model.halo_bytes();
  const double wait0 = model.halo_wait_seconds(), comm0 = comm.waited_seconds();
  double spikes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < steps; ++i) {
    sim.step();
    spikes += sim.last().fire * neurons;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // every rank's figures to every rank, as integers (microseconds): a sum of
  // vectors that are zero but for each rank's own entries
  const auto ranks = static_cast<std::size_t>(comm.size()), me = static_cast<std::size_t>(comm.rank());
  constexpr std::size_t kEach = 6;
  std::vector<std::int64_t> all(kEach * ranks, 0);
  std::int64_t* mine = all.data() + kEach * me;
  mine[0] = std::llround(wall * 1e6);
  mine[1] = std::llround((model.halo_wait_seconds() - wait0) * 1e6);
  mine[2] = std::llround((comm.waited_seconds() - comm0) * 1e6);
  mine[3] = model.halo_bytes() - bytes0;
  mine[4] = model.params().slab.first;
  mine[5] = model.params().slab.count;
  comm.sum(all);
  RankRun r;
  std::int64_t bytes = 0;
  for (std::size_t k = 0; k < ranks; ++k) {
    const std::int64_t* f = all.data() + kEach * k;
    const double w = static_cast<double>(f[0]) * 1e-6, c = static_cast<double>(f[2]) * 1e-6;
    r.wall_s = std::max(r.wall_s, w);
    r.compute_s.push_back(w - c);
    r.halo_wait_s.push_back(static_cast<double>(f[1]) * 1e-6);
    r.comm_wait_s.push_back(c);
    r.planes.push_back(f[4]);
    r.planes.push_back(f[5]);
    bytes += f[3];
  }
  r.halo_bytes_per_step = static_cast<double>(bytes) / static_cast<double>(steps);
  r.spikes_per_step = spikes / static_cast<double>(steps);
  r.threads = model.threads();
  return r;
}

// One row of the table: the median of `repeat` runs (by wall time), printed
// by rank 0 and added to rows.
void bench_row(const Config& cfg, std::int64_t steps, int repeat, RankComm& comm, std::vector<JsonObject>& rows) {
  const double neurons = static_cast<double>(cfg.n) * cfg.n * cfg.depth;
  std::vector<RankRun> runs;
  for (int k = 0; k < repeat; ++k) runs.push_back(run_ranks(cfg, steps, std::max<std::int64_t>(10, steps / 10), comm));
  std::sort(runs.begin(), runs.end(), [](const RankRun& a, const RankRun& b) { return a.wall_s > b.wall_s; });
  const RankRun& r = runs[runs.size() / 2];
  if (comm.rank() != 0) return;
  const double sps = static_cast<double>(steps) / r.wall_s;
  std::cout << std::setw(4) << cfg.n << "  " << std::setw(4) << cfg.depth << "  " << std::setw(11)
            << static_cast<long long>(neurons) << "  " << std::setw(5) << comm.size() << "  " << std::setw(7)
            << r.threads << "  " << std::setw(5) << steps << "  " << std::setw(11) << std::fixed << std::setprecision(1)
            << sps << "  " << std::setw(18) << std::setprecision(3) << 1e9 / (sps * neurons) << "  " << std::setw(11)
            << std::setprecision(4) << r.spikes_per_step / neurons << "  " << std::setw(19) << std::setprecision(0)
            << r.halo_bytes_per_step << " ";
  for (std::size_t k = 0; k < r.compute_s.size(); ++k)
    std::cout << "  r" << k << ": z" << r.planes[2 * k] << "-" << r.planes[2 * k] + r.planes[2 * k + 1] - 1 << " "
              << std::setprecision(3) << r.compute_s[k] << " " << r.halo_wait_s[k] << " " << r.comm_wait_s[k];
  std::cout << std::defaultfloat << std::endl;
  JsonObject row;
  row.add("n", cfg.n).add("L", cfg.depth).add("neurons", static_cast<std::int64_t>(neurons));
  row.add("ranks", comm.size()).add("threads", r.threads).add("steps", steps).add("steps_per_s", sps);
  row.add("ns_per_neuron_step", 1e9 / (sps * neurons)).add("spikes_frac", r.spikes_per_step / neurons);
  row.add("halo_bytes_per_step", r.halo_bytes_per_step);
  std::vector<JsonObject> per_rank;
  for (std::size_t k = 0; k < r.compute_s.size(); ++k) {
    JsonObject one;
    one.add("first_plane", r.planes[2 * k]).add("planes", r.planes[2 * k + 1]);
    one.add("compute_s", r.compute_s[k]).add("halo_wait_s", r.halo_wait_s[k]).add("all_waits_s", r.comm_wait_s[k]);
    per_rank.push_back(one);
  }
  row.add("per_rank", per_rank);
  rows.push_back(row);
}

}  // namespace

int bench_lattice_ranks(const BenchOptions& opt, RankComm& comm, JsonObject& fig) {
  const int threads = opt.threads_given ? opt.threads : 1;
  if (comm.rank() == 0)
    std::cout << "   n     L  neurons      ranks  threads  steps  steps_per_s  ns_per_neuron_step  spikes_frac  "
                 "halo_bytes_per_step  per rank: planes compute_s halo_wait_s all_waits_s\n";
  std::vector<JsonObject> rows;
  if (opt.scaling) {  // cube sides, readout off: its n^2 x n^2 matrix would not fit at n = 256
    for (int side : opt.sides) {
      Config cfg = cube_benchmark_config(side, side, threads);
      cfg.readout_enabled = false;
      // the step counts of the one-process table (bench_command.cpp)
      const double neurons = std::pow(static_cast<double>(side), 3);
      const auto steps = static_cast<std::int64_t>(std::max(20.0, std::min(2000.0, 1.0e9 / neurons)));
      bench_row(cfg, steps, opt.repeat, comm, rows);
    }
  } else {  // the one-process bench's scenario: the cube's lattice alone, the groups with their readout
    Config cfg = cube_benchmark_config(opt.n, opt.depth, threads);
    if (opt.model == "groups") {
      cfg.model = "groups";
      cfg.group = opt.group;
    } else {
      cfg.readout_enabled = false;
    }
    const std::int64_t steps = opt.steps > 0 ? opt.steps : (opt.model == "groups" ? 1000 : 3000);
    bench_row(cfg, steps, 1, comm, rows);
  }
  fig.add("rows", rows);
  return 0;
}

}  // namespace spikecube::cli
