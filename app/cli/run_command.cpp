#include "app/cli/run_command.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <new>
#include <sstream>
#include <thread>

#include "app/cli/logging.hpp"
#include "app/cli/progress.hpp"
#include "app/cli/signal_guard.hpp"
#include "core/atomic_file.hpp"
#include "core/health.hpp"
#include "core/run_report.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint.hpp"
#include "io/output_paths.hpp"
#include "io/rank_checkpoint.hpp"
#include "io/recording.hpp"
#include "io/slab_recording.hpp"

namespace spikecube::cli {
namespace fs = std::filesystem;

namespace {

// The exit codes of run_command.hpp and the README's "Command line"; a
// signal ends the run with 128 + its number (130 SIGINT, 143 SIGTERM).
constexpr int kExitOk = 0;
constexpr int kExitBadInput = 2;
constexpr int kExitFault = 3;

// --steps, checked in one place for fresh and resumed runs
std::optional<std::int64_t> steps_option(const RunOptions& opt) {
  if (opt.steps && *opt.steps < 0) {
    throw ConfigError("--steps: " + std::to_string(*opt.steps) + " is out of range; expected an integer in [0, inf)");
  }
  return opt.steps;
}

}  // namespace

Config resolve_config(const RunOptions& opt) {
  if (!opt.preset.empty() && !opt.config_path.empty()) {
    throw ConfigError("--preset and --config: give one of them, not both");
  }
  Config cfg = !opt.config_path.empty() ? load_config_file(opt.config_path)
                                        : load_preset(opt.preset.empty() ? "01_01" : opt.preset);
  for (const auto& s : opt.overrides) apply_override(cfg, s);
  if (const auto steps = steps_option(opt)) cfg.steps = *steps;
  if (opt.seed) cfg.seed = *opt.seed;
  if (opt.threads) {
    if (*opt.threads < 0 || *opt.threads > 256)
      throw ConfigError("--threads: " + std::to_string(*opt.threads) +
                        " is out of range; expected an integer in [0, 256]");
    cfg.threads = *opt.threads;
  }
  for (const auto& s : opt.input_off) cfg.input_off.push_back(parse_interval(s, "--input-off"));
  for (const auto& s : opt.replay) cfg.replay.push_back(parse_interval(s, "--replay"));
  validate(cfg);
  return cfg;
}

std::string numbered_checkpoint_path(const std::string& path, std::int64_t step) {
  const fs::path p(path);
  char num[32];
  std::snprintf(num, sizeof num, "_%06lld", static_cast<long long>(step));
  fs::path out = p.parent_path() / (p.stem().string() + num + p.extension().string());
  return out.string();
}

namespace {

// ---- errors ------------------------------------------------------------------

// Under mpirun only rank 0 prints (and writes files); the others run silent.
bool g_speaks = true;

// errors are reported as exactly one line
void report_error(const std::string& what) {
  if (!g_speaks) return;
  std::string line = what;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "spikecube-cli: " << line << "\n";
  log_error_to_file(line);
}

// Runs f(); the one place where an exception becomes an exit code. Every
// error a run can meet (ConfigError, FileError, io::CheckpointError,
// io::RecordingError: all std::runtime_error; std::invalid_argument from an
// option's syntax) is bad input: its text plus context() is the one line on
// stderr, and the result is 2. context() runs only on an error.
template <typename F, typename Context>
std::string error_of(F&& f, Context&& context) {
  try {
    f();
    return {};
  } catch (const std::invalid_argument& e) {
    return e.what() + context();
  } catch (const std::runtime_error& e) {
    return e.what() + context();
  } catch (const std::bad_alloc&) {
    return "out of memory" + context() + " (lower model.n or model.depth, or free memory)";
  }
}

template <typename F>
std::string error_of(F&& f) {
  return error_of(std::forward<F>(f), [] { return std::string(); });
}

template <typename F, typename Context>
int exit_code_of(F&& f, Context&& context) {
  const std::string error = error_of(std::forward<F>(f), std::forward<Context>(context));
  if (error.empty()) return kExitOk;
  report_error(error);
  return kExitBadInput;
}

template <typename F>
int exit_code_of(F&& f) {
  return exit_code_of(std::forward<F>(f), [] { return std::string(); });
}

// ---- output files ------------------------------------------------------------

std::string summary_line(const RunSummary& s, double steps_per_s) {
  std::ostringstream os;
  os.precision(6);
  os << "steps=" << s.steps << " steps_per_s=" << static_cast<long long>(steps_per_s + 0.5)
     << " iou100_final=" << s.iou100_final << " fire_final=" << s.fire_final << " first_iou50=" << s.first_iou50
     << " first_iou80=" << s.first_iou80;
  if (s.resumed) os << " resume_iou50=" << s.resume_iou50 << " resume_iou80=" << s.resume_iou80;
  return os.str();
}

void check_out_dir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw FileError("--out " + dir + ": exists and is not a directory");
  }
  fs::create_directories(dir, ec);
  if (ec) throw FileError("--out " + dir + ": cannot create directory (" + ec.message() + ")");
  // probe writability before spending minutes on a run
  const std::string probe = temp_path_for((fs::path(dir) / ".probe").string());
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) throw FileError("--out " + dir + ": directory is not writable");
  std::fclose(f);
  std::remove(probe.c_str());
}

std::string fault_path(const RunOptions& opt) {
  if (!opt.out_dir.empty()) return (fs::path(opt.out_dir) / "fault.h5").string();
  if (!opt.checkpoint_path.empty()) {
    const fs::path p(opt.checkpoint_path);
    return (p.parent_path() / (p.stem().string() + "_fault" + p.extension().string())).string();
  }
  return {};
}

// metrics.csv (one row per step) and layers.csv (multi-layer models) in the
// output folder, committed (renamed into place) at the end of the run
class StepFiles {
 public:
  StepFiles(const fs::path& out, const Simulation& sim) : out_(out) {
    metrics_ = std::make_unique<AtomicFile>((out / "metrics.csv").string());
    auto& m = metrics_->stream();
    const auto columns = metric_columns(sim);
    for (std::size_t c = 0; c < columns.size(); ++c) m << (c ? "," : "") << columns[c];
    m << "\n";
    sim.model().layer_rates(layer_rates_);
    if (!layer_rates_.empty()) {
      layers_ = std::make_unique<AtomicFile>((out / "layers.csv").string());
      layers_->stream() << "step";
      for (std::size_t z = 0; z < layer_rates_.size(); ++z) layers_->stream() << ",z" << z;
      layers_->stream() << "\n";
    }
  }

  void add_step(const Simulation& sim) {
    const StepMetrics& s = sim.last();
    auto& m = metrics_->stream();
    m << s.step << ',' << s.iou100 << ',' << s.fire << ',' << s.out_px << ',' << s.iou << ',' << s.target_px << ','
      << (s.input_on ? 1 : 0) << ',' << (s.replay ? 1 : 0);
    for (double v : s.extra) m << ',' << v;
    m << '\n';
    if (layers_) {
      sim.model().layer_rates(layer_rates_);
      layers_->stream() << s.step;
      for (double r : layer_rates_) layers_->stream() << ',' << r;
      layers_->stream() << '\n';
    }
  }

  // A full disk stops the run at the step it happens, not after the run.
  void check() {
    metrics_->check();
    if (layers_) layers_->check();
  }

  // the per-step files, then config.toml and summary.json
  void commit(const Simulation& sim, const RunSummary& summary, std::int64_t ran, double seconds,
              std::uint64_t state_hash) {
    metrics_->commit();
    if (layers_) layers_->commit();
    write_file_atomic((out_ / "config.toml").string(), to_toml(sim.config()));
    write_file_atomic((out_ / "summary.json").string(), summary_json(sim.config(), summary, ran, seconds, state_hash));
  }

 private:
  fs::path out_;
  std::unique_ptr<AtomicFile> metrics_, layers_;
  std::vector<double> layer_rates_;
};

// ---- parse: everything that can be rejected before the first step ---------------

struct RunSetup {
  std::unique_ptr<Simulation> sim;
  std::unique_ptr<io::Recorder> recorder;
  std::unique_ptr<io::SlabRecorder> slab_recorder;  // the recording of a run over several ranks
  NeuronView view;                                  // this rank's planes, for slab_recorder
  std::unique_ptr<StepFiles> files;  // null without --out
  std::int64_t to_run = 0;
};

void check_options(const RunOptions& opt) {
  if (opt.checkpoint_every < 0) throw ConfigError("--checkpoint-every: must be >= 0");
  if (opt.checkpoint_every > 0 && opt.checkpoint_path.empty())
    throw ConfigError("--checkpoint-every needs --checkpoint PATH");
  if (opt.record_every < 1) throw ConfigError("--record-every: must be >= 1");
  if (!opt.record_slices.empty() && opt.record_path.empty()) throw ConfigError("--record-slice needs --record PATH");
}

// A checkpoint carries its resolved config; --preset or --config only check
// that it fits (model kind and sizes).
std::unique_ptr<Simulation> open_resumed(const RunOptions& opt, std::int64_t& to_run, RankComm& comm) {
  if (!opt.overrides.empty() || opt.seed || opt.threads || !opt.input_off.empty() || !opt.replay.empty()) {
    throw ConfigError(
        "--resume: --set, --seed, --threads, --input-off and --replay cannot be combined with it (the checkpoint holds "
        "the config)");
  }
  std::unique_ptr<Simulation> sim;
  if (!opt.preset.empty() || !opt.config_path.empty()) {
    RunOptions base = opt;
    base.steps.reset();
    sim = std::make_unique<Simulation>(resolve_config(base), comm);
    io::load_checkpoint(opt.resume_path, *sim, comm);
  } else {
    sim = io::open_checkpoint(opt.resume_path, comm);
  }
  const auto steps = steps_option(opt);
  to_run = steps ? *steps : std::max<std::int64_t>(0, sim->config().steps - sim->step_count());
  if (!steps && to_run == 0) {
    spdlog::warn("--resume: the checkpoint is at step {}, run.steps is {}: nothing to run (--steps N runs N more)",
                 sim->step_count(), sim->config().steps);
  }
  return sim;
}

void log_run_start(const RunOptions& opt, const Simulation& sim, std::int64_t to_run) {
  const Config& c = sim.config();
  std::string source = "preset " + (opt.preset.empty() ? std::string("01_01") : opt.preset);
  if (!opt.config_path.empty()) source = "config " + opt.config_path;
  if (!opt.resume_path.empty()) source = "checkpoint " + opt.resume_path;
  const std::string size =
      c.model == "layer" ? fmt::format("{}x{}", c.n, c.n) : fmt::format("{}x{}x{}", c.n, c.n, c.depth);
  const std::int64_t first = sim.step_count() + 1;
  const std::string steps =
      to_run > 0 ? fmt::format("steps {}-{}", first, first + to_run - 1) : std::string("no steps");
  const std::string threads = c.threads == 0 ? std::string("all cores") : std::to_string(c.threads);
  const std::string out = opt.out_dir.empty() ? std::string("none (--out not given)") : opt.out_dir;
  spdlog::info("run: {} ({} {}), seed {}, {}, threads {}, output {}", source, c.model, size, c.seed, steps, threads,
               out);
  spdlog::debug("resolved config:\n{}", to_toml(c));
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && c.threads > static_cast<int>(cores)) {
    spdlog::warn("--threads {} is more than the {} hardware threads: results are the same, the run is slower",
                 c.threads, cores);
  }
}

// No two outputs (nor an output and --resume) may be one file; stale
// temporary files of killed runs are removed, and said so.
void check_outputs(const RunOptions& opt) {
  std::vector<io::NamedPath> outputs;
  std::vector<std::string> paths;
  if (!opt.checkpoint_path.empty()) outputs.push_back({"--checkpoint", opt.checkpoint_path});
  if (!opt.record_path.empty()) outputs.push_back({"--record", opt.record_path});
  if (!opt.out_dir.empty()) {
    for (const char* name : {"metrics.csv", "layers.csv", "config.toml", "summary.json", "fault.h5"}) {
      outputs.push_back({std::string("--out (") + name + ")", (fs::path(opt.out_dir) / name).string()});
    }
  }
  io::check_output_paths(outputs, opt.resume_path, "--checkpoint");
  for (const auto& o : outputs) paths.push_back(o.path);
  for (const auto& line : io::remove_stale_temp_files(paths)) std::cerr << "spikecube-cli: " << line << "\n";
}

io::RecordOptions record_options(const RunOptions& opt) {
  io::RecordOptions ro;
  ro.every = opt.record_every;
  for (const auto& slice : opt.record_slices) ro.slices.push_back(io::parse_record_slice(slice));
  return ro;
}

// Under mpirun: every rank opens the recording together, once the setup has
// succeeded on every rank (rank 0 writes the file).
void open_slab_recorder(const RunOptions& opt, RunSetup& s) {
  const Simulation& sim = *s.sim;
  RankComm& comm = sim.comm();
  const StateSplit split = sim.model().state_split();
  s.slab_recorder = std::make_unique<io::SlabRecorder>(opt.record_path, io::recording_header(sim), record_options(opt),
                                                       split.slab, comm.size() - 1, comm);
}

RunSetup setup_run(const RunOptions& opt, RankComm& comm) {
  check_options(opt);
  RunSetup s;
  if (!opt.resume_path.empty()) {
    s.sim = open_resumed(opt, s.to_run, comm);
  } else {
    s.sim = std::make_unique<Simulation>(resolve_config(opt), comm);
    s.to_run = s.sim->config().steps;
  }
  if (comm.rank() != 0) return s;  // the files are rank 0's (checkpoints too: written through it)
  check_outputs(opt);
  if (!opt.out_dir.empty()) check_out_dir(opt.out_dir);
  if (!opt.checkpoint_path.empty()) io::probe_writable(opt.checkpoint_path);
  if (!opt.record_path.empty()) io::probe_writable(opt.record_path);
  if (!opt.record_path.empty() && comm.size() == 1)
    s.recorder = std::make_unique<io::Recorder>(opt.record_path, *s.sim, record_options(opt));
  if (!opt.out_dir.empty()) s.files = std::make_unique<StepFiles>(fs::path(opt.out_dir), *s.sim);
  log_run_start(opt, *s.sim, s.to_run);
  return s;
}

// ---- run: the steps ------------------------------------------------------------------

struct RunOutcome {
  int exit_code = kExitOk;  // 2: a recording or checkpoint write failed; 3: model fault
  bool faulted = false;
  int signal = 0;        // SIGINT / SIGTERM that ended the run early
  std::int64_t ran = 0;  // this invocation only (a resumed run continues the count)
  double seconds = 0;
};

void save_checkpoint_logged(const std::string& path, const Simulation& sim) {
  io::save_checkpoint(path, sim, sim.comm());  // every rank's slab
  spdlog::info("checkpoint written: {} (step {})", path, sim.step_count());
}

// The fault's one line; the state at the fault goes to fault_path() if there
// is one.
void report_fault(const RunOptions& opt, const Simulation& sim, Health h) {
  std::string msg = fault_line(sim.last().step, h, sim.config().model);
  const std::string fp = fault_path(opt);
  if (!fp.empty()) {
    try {
      io::save_checkpoint(fp, sim, sim.comm());  // every rank faults at the same step (the health is global)
      msg += "; state saved to " + fp;
    } catch (const io::CheckpointError& e) {
      msg += std::string("; could not save the state: ") + e.what();
    }
  }
  report_error(msg);
}

// What a finished step leaves behind: its metrics rows, its spikes in the
// recording, a numbered checkpoint when one is due.
void record_step(const RunOptions& opt, RunSetup& setup, Progress& progress) {
  const Simulation& sim = *setup.sim;
  if (setup.files) {
    setup.files->add_step(sim);
    try {
      setup.files->check();
    } catch (const FileError&) {
      setup.files.reset();  // the earlier files in --out stay as they were
      throw;
    }
  }
  if (setup.recorder) {
    try {
      setup.recorder->record(sim);
    } catch (const std::runtime_error&) {
      setup.recorder.reset();  // a failed recording is abandoned (its temporary file removed)
      throw;
    }
  }
  if (setup.slab_recorder) {
    sim.model().view(setup.view, 0);  // every neuron of this rank's planes
    io::SlabStep part;
    part.step = sim.step_count();
    part.spiked = setup.view.spiked;
    part.potential = setup.view.potential;
    part.input = &sim.input_frame();
    part.output = &sim.output_frame();
    try {
      setup.slab_recorder->record(part);  // fails on every rank alike
    } catch (const std::runtime_error&) {
      setup.slab_recorder.reset();
      throw;
    }
  }
  const std::int64_t step = sim.last().step;
  if (opt.checkpoint_every > 0 && step % opt.checkpoint_every == 0) {
    if (spdlog::should_log(spdlog::level::info)) progress.finish();  // the log line gets a line of its own
    save_checkpoint_logged(numbered_checkpoint_path(opt.checkpoint_path, step), sim);
  }
}

RunOutcome run_steps(const RunOptions& opt, RunSetup& setup) {
  Simulation& sim = *setup.sim;
  RunOutcome out;
  // SA_RESETHAND: a second Ctrl-C falls through to the default action and
  // ends the process at once (temporary files may then be left behind)
  SignalGuard signals(SA_RESETHAND | SA_RESTART);
  const std::int64_t first_step = sim.step_count();
  Progress progress(setup.to_run, !opt.quiet && ::isatty(STDERR_FILENO));
  const auto t0 = std::chrono::steady_clock::now();
  RankComm& comm = sim.comm();
  bool stop = SignalGuard::received() != 0;
  out.exit_code = exit_code_of(
      [&] {
        for (std::int64_t i = 0; i < setup.to_run && !stop && !out.faulted; ++i) {
          if (comm.size() == 1) {
            sim.step();
            record_step(opt, setup, progress);
            stop = SignalGuard::received() != 0;
          } else {
            // every rank stops at the same step: on any rank's error (rank
            // 0's files) or signal
            const std::string error = error_of([&] {
              sim.step();
              record_step(opt, setup, progress);
            });
            std::array<std::int64_t, 2> flags = {SignalGuard::received() != 0 ? 1 : 0, error.empty() ? 0 : 1};
            comm.sum(flags);
            if (flags[1] != 0) throw std::runtime_error(comm.first_error(error));
            stop = flags[0] != 0;
          }
          progress.update(i + 1, sim.last().iou100, sim.last().fire);
          if (const Health h = sim.health(); h != Health::kOk) {
            progress.finish();
            report_fault(opt, sim, h);
            out.faulted = true;
          }
        }
      },
      [&] {
        progress.finish();
        return "; stopping at step " + std::to_string(sim.step_count());
      });
  if (out.faulted) out.exit_code = kExitFault;
  progress.finish();
  out.signal = SignalGuard::received();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.ran = sim.step_count() - first_step;
  return out;
}

// ---- report: final checkpoint, recording, output files, summary line ----------------

int report_run(const RunOptions& opt, RunSetup& setup, const RunOutcome& out) {
  Simulation& sim = *setup.sim;
  int exit_code = out.exit_code;
  const RunSummary summary = sim.summary();
  const double sps = out.seconds > 0 ? static_cast<double>(out.ran) / out.seconds : 0.0;
  spdlog::info("ran {} steps in {:.2f} s ({:.0f} steps/s)", out.ran, out.seconds, sps);

  // final checkpoint (not after a fault: that state went to fault.h5, nor
  // after a failed write), then the recording and the output files, each on
  // its own: a checkpoint that does not fit must not cost the recording
  const int checkpoint = exit_code_of([&] {
    if (!opt.checkpoint_path.empty() && exit_code == kExitOk) save_checkpoint_logged(opt.checkpoint_path, sim);
  });
  const int recording = exit_code_of([&] {
    if (!setup.recorder && !setup.slab_recorder) return;
    try {
      if (setup.recorder) setup.recorder->close();
      if (setup.slab_recorder) setup.slab_recorder->close();
    } catch (const std::runtime_error&) {
      setup.recorder.reset();
      setup.slab_recorder.reset();
      throw;
    }
    spdlog::info("recording written: {}", opt.record_path);
  });
  if (checkpoint != kExitOk) exit_code = checkpoint;
  if (recording != kExitOk) exit_code = recording;
  // the hash of the whole state, computed by every rank together
  const std::uint64_t hash = opt.out_dir.empty() ? 0 : sim.model().state_hash();
  if (setup.files) {
    if (const int rc = exit_code_of([&] { setup.files->commit(sim, summary, out.ran, out.seconds, hash); });
        rc != kExitOk)
      return rc;
    spdlog::info("outputs written to {}", opt.out_dir);
  }
  if (g_speaks) std::cout << summary_line(summary, sps) << std::endl;
  if (out.signal != 0 && exit_code == kExitOk) {
    report_error(std::string("interrupted by ") + (out.signal == SIGINT ? "SIGINT" : "SIGTERM") + " after step " +
                 std::to_string(sim.step_count()) +
                 (opt.checkpoint_path.empty() ? "" : "; checkpoint " + opt.checkpoint_path) + "; outputs written");
    return 128 + out.signal;
  }
  return exit_code;
}

}  // namespace

int run_command(const RunOptions& opt_in, RankComm& comm) {
  g_speaks = comm.rank() == 0;
  RunOptions opt = opt_in;
  if (!g_speaks) {
    opt.quiet = true;  // one progress bar, one log
    spdlog::set_level(spdlog::level::off);
  }
  // the last line of defence: whatever was not caught nearer is one line, exit 2
  try {
    RunSetup setup;
    // any rank's error ends every rank with the first one's line
    std::string error = error_of([&] { setup = setup_run(opt, comm); });
    if (comm.size() > 1) error = comm.first_error(error);
    if (error.empty() && comm.size() > 1 && !opt.record_path.empty())
      error = error_of([&] { open_slab_recorder(opt, setup); });  // the same error on every rank
    if (!error.empty()) {
      report_error(error);
      return kExitBadInput;
    }
    const RunOutcome outcome = run_steps(opt, setup);
    return report_run(opt, setup, outcome);
  } catch (const std::bad_alloc&) {
    report_error("out of memory; lower model.n or model.depth, or free memory");
  } catch (const std::exception& e) {
    report_error(e.what());
  }
  return kExitBadInput;
}

}  // namespace spikecube::cli
