#include "app/cli/bench_command.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "app/cli/bench_ranks.hpp"
#include "app/cli/bench_record.hpp"
#include "core/cube_model.hpp"
#include "core/groups_model.hpp"
#include "core/simulation.hpp"

namespace spikecube::cli {
namespace {

struct BenchResult {
  double steps_per_s = 0;
  double spikes_per_step = 0;
  double cpu_s = 0;  // process CPU time of the timed steps (all threads)
  double wall_s = 0;
};

// Runs warm-up steps, then times `steps` steps of the simulation.
BenchResult time_steps(Simulation& sim, std::int64_t steps, std::int64_t warmup) {
  for (std::int64_t i = 0; i < warmup; ++i) sim.step();
  const double neurons = static_cast<double>(sim.model().dims().count());
  double spikes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  for (std::int64_t i = 0; i < steps; ++i) {
    sim.step();
    spikes += sim.last().fire * neurons;
  }
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {static_cast<double>(steps) / secs, spikes / static_cast<double>(steps), cpu, secs};
}

int bench_layer(const BenchOptions& opt, JsonObject& fig) {
  Config cfg = load_preset("01_01");
  cfg.n = opt.n;
  Simulation sim(cfg);
  // the timed window starts after the chaos phase, where firing is highest
  const std::int64_t steps = opt.steps > 0 ? opt.steps : 5000;
  const BenchResult r = time_steps(sim, steps, 1000);
  std::cout << "model=layer n=" << cfg.n << " steps=" << steps << " threads=1\n";
  std::cout << "steps_per_s=" << static_cast<long long>(r.steps_per_s) << " spikes_per_step=" << r.spikes_per_step
            << std::endl;
  fig.add("steps", steps).add("steps_per_s", r.steps_per_s).add("spikes_per_step", r.spikes_per_step);
  return 0;
}

// The cube benchmark scenario (docs/cube.md, Benchmark): events per step are the spikes'
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

// The figures the cube bench prints, for the --json record.
void add_cube_figures(JsonObject& fig, const BenchOptions& opt, std::int64_t steps, const CubeBench& full,
                      const CubeBench& b) {
  const double neurons = static_cast<double>(opt.n) * opt.n * opt.depth;
  fig.add("steps", steps)
      .add("threads", b.threads)
      .add("steps_per_s", b.r.steps_per_s)
      .add("cpu_steps_per_s", static_cast<double>(steps) / b.r.cpu_s)
      .add("spikes_per_step", b.r.spikes_per_step)
      .add("spikes_frac", b.r.spikes_per_step / neurons)
      .add("syn_events_per_s", b.syn_events_per_s)
      .add("ns_per_neuron_step", 1e9 / (b.r.steps_per_s * neurons))
      .add("bytes_per_neuron", b.bytes_per_neuron)
      .add("with_readout_steps_per_s", full.r.steps_per_s)
      .add("with_readout_cpu_steps_per_s", static_cast<double>(steps) / full.r.cpu_s);
}

// One row of the --scaling table, for the --json record.
JsonObject cube_row(int side, std::int64_t steps, const CubeBench& b) {
  const double neurons = std::pow(static_cast<double>(side), 3);
  JsonObject row;
  row.add("side", side)
      .add("neurons", static_cast<std::int64_t>(neurons))
      .add("threads", b.threads)
      .add("steps", steps)
      .add("steps_per_s", b.r.steps_per_s)
      .add("ns_per_neuron_step", 1e9 / (b.r.steps_per_s * neurons))
      .add("cpu_ns_per_neuron_step", 1e9 * b.r.cpu_s / (static_cast<double>(steps) * neurons))
      .add("spikes_frac", b.r.spikes_per_step / neurons)
      .add("bytes_per_neuron", b.bytes_per_neuron);
  return row;
}

int bench_cube(const BenchOptions& opt, JsonObject& fig) {
  if (!opt.scaling) {
    const std::int64_t steps = opt.steps > 0 ? opt.steps : 2000;
    // 200 warm-up steps let the dot's wave and the STDP settle before timing;
    // the full model (with the dense readout) for information, then the
    // scenario itself: the lattice alone, the work the Brian2 peer does and
    // what the README's reference points (Performance) measure
    const CubeBench full = run_cube(opt.n, opt.depth, opt.threads, steps, 200, true);
    const CubeBench b = run_cube(opt.n, opt.depth, opt.threads, steps, 200, false);
    std::cout << "model=cube n=" << opt.n << " L=" << opt.depth << " steps=" << steps << " threads=" << b.threads
              << "\n";
    std::cout << "with_readout: steps_per_s=" << static_cast<long long>(full.r.steps_per_s)
              << " cpu_steps_per_s=" << static_cast<long long>(static_cast<double>(steps) / full.r.cpu_s) << "\n";
    std::cout << "lattice_only: cpu_steps_per_s=" << static_cast<long long>(static_cast<double>(steps) / b.r.cpu_s)
              << " (process CPU time, all threads)\n";
    std::cout << "steps_per_s=" << static_cast<long long>(b.r.steps_per_s) << " spikes_per_step=" << b.r.spikes_per_step
              << " syn_events_per_s=" << std::setprecision(4) << b.syn_events_per_s
              << " bytes_per_neuron=" << b.bytes_per_neuron << std::endl;
    add_cube_figures(fig, opt, steps, full, b);
    return 0;
  }
  // scaling: readout off (its n^2 x n^2 matrix would not fit at n = 256);
  // fewer steps for big cubes so the table takes a few minutes at most.
  // cpu_ns: process CPU time per neuron-step (all threads), the fairer figure
  // on a loaded machine. With --repeat R each row is the median of R runs
  // (by wall time): a shared VM's neighbours come and go.
  std::cout << "side  neurons      threads  steps  steps_per_s  ns_per_neuron_step  cpu_ns_per_neuron_step  "
               "spikes_frac  bytes_per_neuron\n";
  std::vector<JsonObject> rows;
  std::vector<int> thread_counts{1, 2};
  if (opt.threads_given) thread_counts = {opt.threads};
  for (int side : opt.sides) {
    const double neurons = std::pow(static_cast<double>(side), 3);
    // about 1e9 neuron-steps a run (a few seconds): long enough for the
    // timings of the big cubes to settle
    const auto steps = static_cast<std::int64_t>(std::max(20.0, std::min(2000.0, 1.0e9 / neurons)));
    for (int threads : thread_counts) {
      std::vector<CubeBench> runs;
      for (int k = 0; k < opt.repeat; ++k)
        runs.push_back(run_cube(side, side, threads, steps, std::max<std::int64_t>(10, steps / 10), false));
      std::sort(runs.begin(), runs.end(),
                [](const CubeBench& a, const CubeBench& b) { return a.r.steps_per_s < b.r.steps_per_s; });
      const CubeBench& b = runs[runs.size() / 2];
      rows.push_back(cube_row(side, steps, b));
      std::cout << std::setw(4) << side << "  " << std::setw(11) << static_cast<long long>(neurons) << "  "
                << std::setw(7) << b.threads << "  " << std::setw(5) << steps << "  " << std::setw(11) << std::fixed
                << std::setprecision(1) << b.r.steps_per_s << "  " << std::setw(18) << std::setprecision(3)
                << 1e9 / (b.r.steps_per_s * neurons) << "  " << std::setw(22)
                << 1e9 * b.r.cpu_s / (static_cast<double>(steps) * neurons) << "  " << std::setw(11)
                << std::setprecision(4) << b.r.spikes_per_step / neurons << "  " << std::setw(16)
                << std::setprecision(2) << b.bytes_per_neuron << std::defaultfloat << std::endl;
    }
  }
  fig.add("rows", rows);
  return 0;
}

// The groups benchmark (docs/groups.md, Benchmark): the cube's scenario with the
// lattice divided into g^3 all-to-all groups (intra-group weights at the
// 1/g^3 scale). Events per step are the spikes' outgoing links, intra-group
// and lattice, averaged over the geometry.
struct GroupsBench {
  BenchResult r;
  double syn_events_per_s = 0;
  double bytes_per_neuron = 0;
  double out_links = 0;  // directed links per neuron
  int threads = 1;
};

GroupsBench run_groups(int n, int depth, int group, int threads, std::int64_t steps, std::int64_t warmup) {
  Config cfg = cube_benchmark_config(n, depth, threads);
  cfg.model = "groups";
  cfg.group = group;
  Simulation sim(cfg);
  GroupsBench b;
  b.r = time_steps(sim, steps, warmup);
  const auto& m = static_cast<const GroupsModel&>(sim.model());
  const double neurons = static_cast<double>(m.dims().count());
  const auto links = m.link_counts();
  b.out_links = static_cast<double>(links.intra + links.inter) / neurons;
  b.syn_events_per_s = b.r.spikes_per_step * b.out_links * b.r.steps_per_s;
  b.bytes_per_neuron = static_cast<double>(m.state_bytes()) / neurons;
  b.threads = m.threads();
  return b;
}

// The figures the groups bench prints, for the --json record.
void add_groups_figures(JsonObject& fig, const GroupsBench& b, std::int64_t steps) {
  fig.add("links_per_neuron", b.out_links)
      .add("steps_per_s", b.r.steps_per_s)
      .add("cpu_steps_per_s", static_cast<double>(steps) / b.r.cpu_s)
      .add("spikes_per_step", b.r.spikes_per_step)
      .add("syn_events_per_s", b.syn_events_per_s)
      .add("bytes_per_neuron", b.bytes_per_neuron);
}

int bench_groups(const BenchOptions& opt, JsonObject& fig) {
  const std::int64_t steps = opt.steps > 0 ? opt.steps : 1000;
  if (!opt.scaling) {
    const GroupsBench b = run_groups(opt.n, opt.depth, opt.group, opt.threads, steps, 200);
    std::cout << "model=groups n=" << opt.n << " L=" << opt.depth << " g=" << opt.group << " steps=" << steps
              << " threads=" << b.threads << " links_per_neuron=" << b.out_links
              << " (lattice across group faces + all-to-all groups, STDP on all links, readout)\n";
    // steps per second of process CPU time: the fairer figure on a loaded machine
    std::cout << "cpu_steps_per_s=" << static_cast<long long>(static_cast<double>(steps) / b.r.cpu_s) << "\n";
    std::cout << "steps_per_s=" << static_cast<long long>(b.r.steps_per_s) << " spikes_per_step=" << b.r.spikes_per_step
              << " syn_events_per_s=" << std::setprecision(4) << b.syn_events_per_s
              << " bytes_per_neuron=" << b.bytes_per_neuron << std::endl;
    fig.add("steps", steps).add("threads", b.threads).add("group", opt.group);
    add_groups_figures(fig, b, steps);
    return 0;
  }
  // --scaling: group sides 2, 4, 8 (those dividing n and L) at 1 and 2 threads
  std::vector<JsonObject> rows;
  std::cout << "g  links_per_neuron  threads  steps  steps_per_s  cpu_steps_per_s  spikes_per_step  syn_events_per_s  "
               "bytes_per_neuron\n";
  for (int g : {2, 4, 8}) {
    if (opt.n % g != 0 || opt.depth % g != 0) continue;
    for (int threads : {1, 2}) {
      const GroupsBench b = run_groups(opt.n, opt.depth, g, threads, steps, 200);
      JsonObject row;
      row.add("group", g).add("threads", b.threads).add("steps", steps);
      add_groups_figures(row, b, steps);
      rows.push_back(row);
      std::cout << g << "  " << std::setw(16) << std::fixed << std::setprecision(2) << b.out_links << "  "
                << std::setw(7) << threads << "  " << std::setw(5) << steps << "  " << std::setw(11)
                << std::setprecision(1) << b.r.steps_per_s << "  " << std::setw(15)
                << static_cast<double>(steps) / b.r.cpu_s << "  " << std::setw(15) << b.r.spikes_per_step << "  "
                << std::setw(16) << std::scientific << std::setprecision(3) << b.syn_events_per_s << "  "
                << std::setw(16) << std::fixed << std::setprecision(1) << b.bytes_per_neuron << std::defaultfloat
                << std::endl;
    }
  }
  fig.add("rows", rows);
  return 0;
}

// The options of the run as the record names them.
JsonObject options_json(const BenchOptions& opt) {
  JsonObject o;
  o.add("model", opt.model).add("n", opt.n).add("L", opt.depth).add("group", opt.group);
  o.add("steps", opt.steps).add("threads", opt.threads).add("scaling", opt.scaling);
  if (opt.scaling) {
    std::string joined;
    for (int side : opt.sides) {
      if (!joined.empty()) joined += ',';
      joined += std::to_string(side);
    }
    o.add("sides", joined).add("repeat", opt.repeat).add("threads_given", opt.threads_given);
  }
  return o;
}

int run_bench(const BenchOptions& opt, JsonObject& fig) {
  if (opt.model == "layer") return bench_layer(opt, fig);
  if (opt.model == "cube") return bench_cube(opt, fig);
  return bench_groups(opt, fig);
}

}  // namespace

int bench_command(const BenchOptions& opt, RankComm& comm) {
  try {
    if (opt.model != "layer" && opt.model != "cube" && opt.model != "groups") {
      if (comm.rank() == 0)
        std::cerr << "spikecube-cli: --model " << opt.model
                  << ": not available in this build; expected one of {layer, cube, groups}\n";
      return 2;
    }
    if (comm.size() > 1 && (opt.model == "layer" || (opt.model == "groups" && opt.scaling))) {
      if (comm.rank() == 0)
        std::cerr << "spikecube-cli: bench under mpirun: --model " << opt.model << (opt.scaling ? " --scaling" : "")
                  << " is not split over ranks; expected --model cube or groups (--scaling: cube), or no mpirun\n";
      return 2;
    }
    // opened before the bench runs: a bad path fails at once, not after minutes
    std::unique_ptr<BenchRecordFile> record;
    if (!opt.json_path.empty() && comm.rank() == 0) record = std::make_unique<BenchRecordFile>(opt.json_path);
    JsonObject fig;
    const int rc = comm.size() > 1 ? bench_lattice_ranks(opt, comm, fig) : run_bench(opt, fig);
    if (rc == 0 && record) record->append(bench_record(opt.command_line, options_json(opt), fig));
    return rc;
  } catch (const RecordError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  } catch (const ConfigError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "spikecube-cli: out of memory building the benchmark's model; lower --n or --L\n";
    return 2;
  }
}

}  // namespace spikecube::cli
