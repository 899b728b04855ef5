// spikecube-cli: headless runs, presets, config validation and benchmarks.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>
#include <string>

#include "app/cli/bench_command.hpp"
#include "app/cli/logging.hpp"
#include "app/cli/run_command.hpp"
#include "app/cli/sweep_command.hpp"
#include "core/config.hpp"
#include "core/flag_integer.hpp"
#include "core/stimulus.hpp"
#include "core/version.hpp"
#if defined(SPIKECUBE_HAS_MPI)
#include "mpi/mpi_comm.hpp"
#endif

namespace {

int list_presets() {
  for (const auto& name : spikecube::preset_names()) {
    const auto text = spikecube::preset_text(name);
    // first comment line of the preset is its one-line description
    std::string first(text.substr(0, text.find('\n')));
    if (first.rfind("# ", 0) == 0) first = first.substr(2);
    std::cout << name << "\t" << first << "\n";
  }
  return 0;
}

// Every config key as a markdown table (the README's config reference is
// generated with this, so it cannot drift from the schema).
int list_params() {
  const spikecube::Config defaults;
  const std::string toml = spikecube::to_toml(defaults);
  std::cout << "| key | default | allowed | live | meaning |\n|---|---|---|---|---|\n";
  for (const auto& spec : spikecube::param_specs()) {
    const std::string name(spec.key.substr(spec.key.find('.') + 1));
    // the default is read back from the resolved TOML of a default config
    const std::string section = "[" + std::string(spec.key.substr(0, spec.key.find('.'))) + "]";
    std::string value;
    const auto sec = toml.find(section);
    const auto line = toml.find("\n" + name + " = ", sec);
    if (line != std::string::npos) {
      const auto start = line + name.size() + 4;
      value = toml.substr(start, toml.find("  #", start) - start);
    }
    std::string allowed;
    switch (spec.type) {
      case spikecube::ParamType::kBool: allowed = "true/false"; break;
      case spikecube::ParamType::kString: allowed = spec.choices.empty() ? "text" : std::string(spec.choices); break;
      case spikecube::ParamType::kIntervals: allowed = "[[first, last], ...]"; break;
      default: {
        std::ostringstream os;
        os << (spec.min_open ? "(" : "[") << spec.min << ", "
           << (spec.max >= 1e12 ? std::string("inf") : (std::ostringstream() << spec.max).str()) << "]";
        allowed = os.str();
      }
    }
    std::replace(allowed.begin(), allowed.end(), '|', '/');
    std::cout << "| `" << spec.key << "` | `" << value << "` | " << allowed << " | " << (spec.live ? "yes" : "")
              << " | " << spec.help << " |\n";
  }
  return 0;
}

int validate_file(const std::string& path) {
  try {
    const spikecube::Config cfg = spikecube::load_config_file(path);
    // the frames a sequence run would read must exist and parse
    if (cfg.stimulus == "sequence") spikecube::load_frame_sequence(cfg.sequence_path, cfg.n);
    std::cout << path << ": ok (model " << cfg.model << ")\n";
    return 0;
  } catch (const spikecube::ConfigError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "spikecube-cli: " << path << ": out of memory while reading\n";
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun every rank runs this; rank 0 alone prints. Without mpirun
  // (or without SPIKECUBE_MPI) the run is one rank.
#if defined(SPIKECUBE_HAS_MPI)
  spikecube::mpi::MpiSession mpi(argc, argv);
  spikecube::RankComm& comm = mpi.comm();
#else
  spikecube::RankComm& comm = spikecube::single_rank();
#endif
  const bool speaks = comm.rank() == 0;
  if (!speaks) std::cout.setstate(std::ios::failbit);  // --help, --version, lists: once
  CLI::App app{"spikecube-cli: headless runs of spiking networks that learn with local rules"};
  app.set_version_flag("--version", std::string("spikecube-cli ") + spikecube::kVersion);
  app.require_subcommand(1);

  spikecube::cli::RunOptions run;
  // integers are taken as text and checked against their config key's range
  // after parsing (CLI11 would wrap -1 into an unsigned seed)
  std::optional<std::string> steps_text, seed_text, threads_text, bench_steps_text, sweep_steps_text, jobs_text;
  auto* run_cmd = app.add_subcommand("run", "run one experiment and write its metrics");
  run_cmd->add_option("--preset", run.preset, "preset name (see `presets`); default 01_01");
  run_cmd->add_option("--config", run.config_path, "TOML config file");
  run_cmd->add_option("--steps", steps_text, "number of steps (overrides run.steps)");
  run_cmd->add_option("--seed", seed_text, "random seed (overrides run.seed)");
  run_cmd->add_option("--threads", threads_text, "worker threads, 0 = all cores (results do not depend on it)");
  run_cmd->add_option("--set", run.overrides, "override a parameter: section.key=value (repeatable)");
  run_cmd->add_option("--input-off", run.input_off,
                      "switch the input off over steps A..B inclusive, as A:B (repeatable)");
  run_cmd->add_option("--replay", run.replay, "replay from memory over steps A..B inclusive, as A:B (repeatable)");
  run_cmd->add_option("--out", run.out_dir, "output folder for metrics.csv, config.toml, summary.json");
  run_cmd->add_flag("--quiet", run.quiet, "no progress bar");
  run_cmd->add_option("--checkpoint", run.checkpoint_path,
                      "write the full state to this HDF5 file at the end (and on SIGINT/SIGTERM)");
  run_cmd->add_option("--checkpoint-every", run.checkpoint_every,
                      "also write PATH_<step>.h5 every N steps (ck.h5 -> ck_000500.h5)");
  run_cmd->add_option("--resume", run.resume_path, "continue from a checkpoint; --steps N runs N more steps");
  run_cmd->add_option("--record", run.record_path, "record spikes (and sampled potentials) to this HDF5 file");
  run_cmd->add_option("--record-every", run.record_every, "sample potentials every K steps (default 10)");
  run_cmd->add_option("--record-slice", run.record_slices,
                      "record potentials of the plane AXIS:INDEX, e.g. z:0 (repeatable)");
  spikecube::cli::LogOptions log;
  run_cmd
      ->add_option(
          "--log-level", log.level,
          "log to stderr (and --log FILE) from this level on: trace, debug, info, warn (default), error, critical, off")
      ->check(CLI::IsMember(spikecube::cli::log_level_names()));
  run_cmd->add_option("--log", log.file, "also append the log to FILE, with timestamps");
  std::optional<double> mpi_timeout;
  auto add_mpi_timeout = [&](CLI::App* cmd) {
    cmd->add_option("--mpi-timeout", mpi_timeout,
                    "under mpirun: seconds a rank waits for another before the run is aborted (default 60, or "
                    "SPIKECUBE_MPI_TIMEOUT)")
        ->check(CLI::PositiveNumber);
  };
  add_mpi_timeout(run_cmd);

  spikecube::cli::SweepOptions sweep;
  auto* sweep_cmd =
      app.add_subcommand("sweep", "run every combination of --grid values x seeds and tabulate the results");
  sweep_cmd->add_option("--preset", sweep.preset, "preset name (see `presets`); default 01_01");
  sweep_cmd->add_option("--config", sweep.config_path, "TOML config file");
  sweep_cmd->add_option("--grid", sweep.grid,
                        "KEY=V1,V2,...: values of one config key (repeatable; every combination runs)");
  sweep_cmd->add_option("--seeds", sweep.seeds, "seeds of every combination: A-B or A,B,C (default 0)");
  sweep_cmd->add_option("--steps", sweep_steps_text, "steps of every run (overrides run.steps)");
  sweep_cmd->add_option("--set", sweep.overrides, "override a parameter of every run: section.key=value (repeatable)");
  sweep_cmd->add_option("--jobs", jobs_text, "runs at a time, one thread each (default: all cores)");
  sweep_cmd->add_option("--out", sweep.out_dir, "output folder: results.csv, table.md, runs/")->required();
  sweep_cmd->add_flag("--quiet", sweep.quiet, "no line per finished run, no progress bar");

  auto* presets_cmd = app.add_subcommand("presets", "list the built-in presets");
  auto* params_cmd = app.add_subcommand("params", "list every config key with its default and range (markdown)");
  std::string validate_path;
  auto* validate_cmd = app.add_subcommand("validate", "check a config file");
  validate_cmd->add_option("file", validate_path, "TOML config file")->required();

  spikecube::cli::BenchOptions bench;
  auto* bench_cmd = app.add_subcommand("bench", "performance scenarios (README: Performance)");
  bench_cmd->add_option("--model", bench.model, "layer, cube or groups");
  bench_cmd->add_option("--n", bench.n, "grid side")->check(CLI::Range(3, 1024));
  bench_cmd->add_option("--L", bench.depth, "cube depth")->check(CLI::Range(1, 1024));
  bench_cmd->add_option("--group", bench.group, "group side (groups model)")->check(CLI::Range(1, 64));
  bench_cmd->add_option("--steps", bench_steps_text, "timed steps");
  bench_cmd->add_option("--threads", bench.threads, "worker threads (0 = all cores)")->check(CLI::Range(0, 256));
  bench_cmd->add_flag("--scaling", bench.scaling, "table of cube sizes 32^3..256^3 at 1 and 2 threads");
  bench_cmd->add_option("--sides", bench.sides, "--scaling: cube sides (default 32 64 128 256)")
      ->check(CLI::Range(3, 1024))
      ->delimiter(',');
  add_mpi_timeout(bench_cmd);
  bench_cmd->add_option("--repeat", bench.repeat, "--scaling: runs per row, the median is reported (default 3)")
      ->check(CLI::Range(1, 100));
  bench_cmd->add_option("--json", bench.json_path,
                        "append a record of the run (machine, build, figures) as one JSON line to FILE");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    if (speaks) std::cerr << "spikecube-cli: " << e.what() << " (see --help)\n";
    return 2;
  }
#if defined(SPIKECUBE_HAS_MPI)
  if (mpi_timeout) mpi.set_timeout(*mpi_timeout);
#endif

  try {
    using spikecube::parse_flag_for_key;
    if (steps_text) run.steps = parse_flag_for_key("--steps", *steps_text, "run.steps");
    if (seed_text) run.seed = static_cast<std::uint64_t>(parse_flag_for_key("--seed", *seed_text, "run.seed"));
    if (threads_text) run.threads = static_cast<int>(parse_flag_for_key("--threads", *threads_text, "run.threads"));
    if (bench_steps_text) bench.steps = spikecube::parse_flag_integer("--steps", *bench_steps_text, 1, 1000000000);
    if (sweep_steps_text) sweep.steps = parse_flag_for_key("--steps", *sweep_steps_text, "run.steps");
    if (jobs_text) sweep.jobs = static_cast<int>(spikecube::parse_flag_integer("--jobs", *jobs_text, 1, 256));
  } catch (const spikecube::ConfigError& e) {
    if (speaks) std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  }

  if (comm.size() > 1 && !*run_cmd && !*bench_cmd) {
    // one process per run (sweep), or nothing to split (lists, validate)
    if (*sweep_cmd) {
      if (speaks) std::cerr << "spikecube-cli: sweep: runs its own processes; start it without mpirun\n";
      return 2;
    }
    if (!speaks) return 0;
  }

  if (*run_cmd) {
    try {
      spikecube::cli::setup_logging(log);
    } catch (const std::exception& e) {
      if (speaks) std::cerr << "spikecube-cli: " << e.what() << "\n";
      return 2;
    }
    return spikecube::cli::run_command(run, comm);
  }
  if (*sweep_cmd) return spikecube::cli::sweep_command(sweep);
  if (*presets_cmd) return list_presets();
  if (*validate_cmd) return validate_file(validate_path);
  if (*params_cmd) return list_params();
  if (*bench_cmd) {
    bench.threads_given = bench_cmd->count("--threads") > 0;
    bench.command_line.assign(argv, argv + argc);
    return spikecube::cli::bench_command(bench, comm);
  }
  return 2;
}
