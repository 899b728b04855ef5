#include "app/cli/run_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <new>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli/progress.hpp"
#include "app/io/checkpoint.hpp"
#include "app/io/output_paths.hpp"
#include "app/io/recording.hpp"
#include "core/atomic_file.hpp"
#include "core/simulation.hpp"

namespace spikecube::cli {
namespace fs = std::filesystem;

Config resolve_config(const RunOptions& opt) {
  if (!opt.preset.empty() && !opt.config_path.empty()) {
    throw ConfigError("--preset and --config: give one of them, not both");
  }
  Config cfg = !opt.config_path.empty() ? load_config_file(opt.config_path)
                                        : load_preset(opt.preset.empty() ? "01_01" : opt.preset);
  for (const auto& s : opt.overrides) apply_override(cfg, s);
  if (opt.steps) {
    if (*opt.steps < 0) throw ConfigError("--steps: " + std::to_string(*opt.steps) + " is out of range; expected an integer in [0, inf)");
    cfg.steps = *opt.steps;
  }
  if (opt.seed) cfg.seed = *opt.seed;
  if (opt.threads) {
    if (*opt.threads < 0 || *opt.threads > 256) throw ConfigError("--threads: " + std::to_string(*opt.threads) + " is out of range; expected an integer in [0, 256]");
    cfg.threads = *opt.threads;
  }
  for (const auto& s : opt.input_off) cfg.input_off.push_back(parse_interval(s, "--input-off"));
  validate(cfg);
  return cfg;
}

namespace {

std::string hash_hex(std::uint64_t h) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string summary_line(const RunSummary& s, double steps_per_s) {
  std::ostringstream os;
  os.precision(6);
  os << "steps=" << s.steps << " steps_per_s=" << static_cast<long long>(steps_per_s + 0.5)
     << " iou100_final=" << s.iou100_final << " fire_final=" << s.fire_final << " first_iou50=" << s.first_iou50
     << " first_iou80=" << s.first_iou80;
  if (s.resumed) os << " resume_iou50=" << s.resume_iou50 << " resume_iou80=" << s.resume_iou80;
  return os.str();
}

std::string summary_json(const Config& cfg, const RunSummary& s, std::int64_t ran, double seconds, std::uint64_t state_hash) {
  std::ostringstream os;
  os.precision(8);
  os << "{\n"
     << "  \"model\": \"" << cfg.model << "\",\n"
     << "  \"seed\": " << cfg.seed << ",\n"
     << "  \"steps\": " << s.steps << ",\n"
     << "  \"seconds\": " << seconds << ",\n"
     << "  \"steps_run\": " << ran << ",\n"
     << "  \"steps_per_s\": " << (seconds > 0 ? static_cast<double>(ran) / seconds : 0.0) << ",\n"
     << "  \"iou100_final\": " << s.iou100_final << ",\n"
     << "  \"fire_final\": " << s.fire_final << ",\n"
     << "  \"first_iou50\": " << s.first_iou50 << ",\n"
     << "  \"first_iou80\": " << s.first_iou80 << ",\n"
     << "  \"resume_iou50\": " << s.resume_iou50 << ",\n"
     << "  \"resume_iou80\": " << s.resume_iou80 << ",\n"
     << "  \"state_hash\": \"" << hash_hex(state_hash) << "\"\n"
     << "}\n";
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

}  // namespace

std::string numbered_checkpoint_path(const std::string& path, std::int64_t step) {
  const fs::path p(path);
  char num[32];
  std::snprintf(num, sizeof num, "_%06lld", static_cast<long long>(step));
  fs::path out = p.parent_path() / (p.stem().string() + num + p.extension().string());
  return out.string();
}

namespace {

// set by the SIGINT/SIGTERM handler, read between steps
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

// Installs the handlers for one run and restores the previous ones after it.
// SA_RESETHAND: a second Ctrl-C falls through to the default action and ends
// the process at once (temporary files may then be left behind).
class SignalGuard {
 public:
  SignalGuard() {
    g_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// errors are reported as exactly one line
void report(const std::string& what) {
  std::string line = what;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "spikecube-cli: " << line << "\n";
}

std::string fault_path(const RunOptions& opt) {
  if (!opt.out_dir.empty()) return (fs::path(opt.out_dir) / "fault.h5").string();
  if (!opt.checkpoint_path.empty()) {
    const fs::path p(opt.checkpoint_path);
    return (p.parent_path() / (p.stem().string() + "_fault" + p.extension().string())).string();
  }
  return {};
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

// Everything that can be rejected before the first step: config, resume
// file, output folder, checkpoint and recording paths.
std::unique_ptr<Simulation> prepare(const RunOptions& opt, std::int64_t& to_run) {
  if (opt.checkpoint_every < 0) throw ConfigError("--checkpoint-every: must be >= 0");
  if (opt.checkpoint_every > 0 && opt.checkpoint_path.empty()) throw ConfigError("--checkpoint-every needs --checkpoint PATH");
  if (opt.record_every < 1) throw ConfigError("--record-every: must be >= 1");
  if (!opt.record_slices.empty() && opt.record_path.empty()) throw ConfigError("--record-slice needs --record PATH");
  std::unique_ptr<Simulation> sim;
  if (!opt.resume_path.empty()) {
    // the checkpoint carries the resolved config; options that would change it are refused
    if (!opt.overrides.empty() || opt.seed || opt.threads || !opt.input_off.empty()) {
      throw ConfigError("--resume: --set, --seed, --threads and --input-off cannot be combined with it (the checkpoint holds the config)");
    }
    if (!opt.preset.empty() || !opt.config_path.empty()) {
      RunOptions base = opt;
      base.steps.reset();
      sim = std::make_unique<Simulation>(resolve_config(base));
      io::load_checkpoint(opt.resume_path, *sim);  // checks model kind and sizes
    } else {
      sim = io::open_checkpoint(opt.resume_path);
    }
    if (opt.steps) {
      if (*opt.steps < 0) throw ConfigError("--steps: " + std::to_string(*opt.steps) + " is out of range; expected an integer in [0, inf)");
      to_run = *opt.steps;
    } else {
      to_run = std::max<std::int64_t>(0, sim->config().steps - sim->step_count());
    }
  } else {
    sim = std::make_unique<Simulation>(resolve_config(opt));
    to_run = sim->config().steps;
  }
  check_outputs(opt);
  if (!opt.out_dir.empty()) check_out_dir(opt.out_dir);
  if (!opt.checkpoint_path.empty()) io::probe_writable(opt.checkpoint_path);
  if (!opt.record_path.empty()) io::probe_writable(opt.record_path);
  return sim;
}

}  // namespace

namespace {

int run_unguarded(const RunOptions& opt) {
  std::unique_ptr<Simulation> sim;
  std::unique_ptr<io::Recorder> recorder;
  std::int64_t to_run = 0;
  try {
    sim = prepare(opt, to_run);
    if (!opt.record_path.empty()) {
      io::RecordOptions ro;
      ro.every = opt.record_every;
      for (const auto& s : opt.record_slices) ro.slices.push_back(io::parse_record_slice(s));
      recorder = std::make_unique<io::Recorder>(opt.record_path, *sim, ro);
    }
  } catch (const ConfigError& e) {
    report(e.what());
    return 2;
  } catch (const FileError& e) {
    report(e.what());
    return 2;
  } catch (const io::CheckpointError& e) {
    report(e.what());
    return 2;
  } catch (const io::RecordingError& e) {
    report(e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    report(e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    report("out of memory while setting up the run (model " + (sim ? std::string(sim->model().kind()) : std::string("state")) +
           "); lower model.n or model.depth, or free memory");
    return 2;
  }

  const bool writing = !opt.out_dir.empty();
  const fs::path out(opt.out_dir);
  std::unique_ptr<AtomicFile> metrics, layers;
  std::vector<double> layer_rates;
  if (writing) {
    metrics = std::make_unique<AtomicFile>((out / "metrics.csv").string());
    auto& m = metrics->stream();
    m << "step,iou100,fire,out_px,iou,target_px,input_on";
    for (const auto& name : sim->extra_metric_names()) m << "," << name;
    m << "\n";
    sim->model().layer_rates(layer_rates);
    if (!layer_rates.empty()) {
      layers = std::make_unique<AtomicFile>((out / "layers.csv").string());
      layers->stream() << "step";
      for (std::size_t z = 0; z < layer_rates.size(); ++z) layers->stream() << ",z" << z;
      layers->stream() << "\n";
    }
  }

  SignalGuard signals;
  const std::int64_t first_step = sim->step_count();
  Progress progress(to_run, !opt.quiet && ::isatty(STDERR_FILENO));
  const auto t0 = std::chrono::steady_clock::now();
  int exit_code = 0;
  bool faulted = false;
  for (std::int64_t i = 0; i < to_run && g_signal == 0; ++i) {
    sim->step();
    const StepMetrics& s = sim->last();
    if (writing) {
      auto& m = metrics->stream();
      m << s.step << ',' << s.iou100 << ',' << s.fire << ',' << s.out_px << ',' << s.iou << ',' << s.target_px << ','
        << (s.input_on ? 1 : 0);
      for (double v : s.extra) m << ',' << v;
      m << '\n';
      if (layers) {
        sim->model().layer_rates(layer_rates);
        layers->stream() << s.step;
        for (double r : layer_rates) layers->stream() << ',' << r;
        layers->stream() << '\n';
      }
    }
    try {
      if (writing) {
        metrics->check();  // a full disk stops the run now, not after it
        if (layers) layers->check();
      }
    } catch (const FileError& e) {
      progress.finish();
      report(std::string(e.what()) + "; stopping at step " + std::to_string(s.step));
      metrics.reset();  // the earlier files in --out stay as they were
      layers.reset();
      exit_code = 2;
      break;
    }
    try {
      if (recorder) recorder->record(*sim);
    } catch (const std::runtime_error& e) {
      progress.finish();
      report(std::string(e.what()) + "; stopping at step " + std::to_string(s.step));
      recorder.reset();  // a failed recording is abandoned (its temporary file removed)
      exit_code = 2;
      break;
    }
    try {
      if (opt.checkpoint_every > 0 && s.step % opt.checkpoint_every == 0) {
        io::save_checkpoint(numbered_checkpoint_path(opt.checkpoint_path, s.step), *sim);
      }
    } catch (const std::runtime_error& e) {
      // the recording so far is still closed and kept below
      progress.finish();
      report(std::string(e.what()) + "; stopping at step " + std::to_string(s.step));
      exit_code = 2;
      break;
    }
    progress.update(i + 1, s.iou100, s.fire);
    const Health h = sim->health();
    if (h != Health::kOk) {
      progress.finish();
      std::string msg = "step " + std::to_string(s.step) + ": " +
                        (h == Health::kNonFinite ? "membrane potential or threshold became NaN/inf"
                                                 : "runaway firing (the lattice fired nearly all it can for hundreds of steps)") +
                        "; stopping";
      const std::string fp = fault_path(opt);
      if (!fp.empty()) {
        try {
          io::save_checkpoint(fp, *sim);
          msg += "; state saved to " + fp;
        } catch (const io::CheckpointError& e) {
          msg += std::string("; could not save the state: ") + e.what();
        }
      }
      report(msg);
      exit_code = 3;
      faulted = true;
      break;
    }
  }
  progress.finish();
  const int sig = g_signal;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const RunSummary summary = sim->summary();
  const std::int64_t ran = sim->step_count() - first_step;  // this invocation only (resume continues the count)
  const double sps = seconds > 0 ? static_cast<double>(ran) / seconds : 0.0;

  // final checkpoint (not after a fault: that state went to fault.h5), then
  // the recording and the output files
  // each on its own: a checkpoint that does not fit must not cost the recording
  try {
    if (!opt.checkpoint_path.empty() && !faulted && exit_code == 0) io::save_checkpoint(opt.checkpoint_path, *sim);
  } catch (const std::runtime_error& e) {
    report(e.what());
    exit_code = 2;
  }
  try {
    if (recorder) recorder->close();
  } catch (const std::runtime_error& e) {
    report(e.what());
    recorder.reset();
    exit_code = 2;
  }
  if (writing && metrics) {
    try {
      metrics->commit();
      if (layers) layers->commit();
      write_file_atomic((out / "config.toml").string(), to_toml(sim->config()));
      write_file_atomic((out / "summary.json").string(), summary_json(sim->config(), summary, ran, seconds, sim->model().state_hash()));
    } catch (const FileError& e) {
      report(e.what());
      return 2;
    }
  }
  std::cout << summary_line(summary, sps) << std::endl;
  if (sig != 0 && exit_code == 0) {
    report(std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + " after step " +
           std::to_string(sim->step_count()) + (opt.checkpoint_path.empty() ? "" : "; checkpoint " + opt.checkpoint_path) +
           "; outputs written");
    return 128 + sig;
  }
  return exit_code;
}

}  // namespace

int run_command(const RunOptions& opt) {
  // the last line of defence: whatever was not caught nearer is one line, exit 2
  try {
    return run_unguarded(opt);
  } catch (const std::bad_alloc&) {
    report("out of memory; lower model.n or model.depth, or free memory");
  } catch (const FileError& e) {
    report(e.what());
  }
  return 2;
}

}  // namespace spikecube::cli
