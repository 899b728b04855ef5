#include "app/cli/run_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli/progress.hpp"
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

std::string summary_line(const RunSummary& s, double steps_per_s) {
  std::ostringstream os;
  os.precision(6);
  os << "steps=" << s.steps << " steps_per_s=" << static_cast<long long>(steps_per_s + 0.5)
     << " iou100_final=" << s.iou100_final << " fire_final=" << s.fire_final << " first_iou50=" << s.first_iou50
     << " first_iou80=" << s.first_iou80;
  if (s.resumed) os << " resume_iou50=" << s.resume_iou50 << " resume_iou80=" << s.resume_iou80;
  return os.str();
}

std::string summary_json(const Config& cfg, const RunSummary& s, double seconds) {
  std::ostringstream os;
  os.precision(8);
  os << "{\n"
     << "  \"model\": \"" << cfg.model << "\",\n"
     << "  \"seed\": " << cfg.seed << ",\n"
     << "  \"steps\": " << s.steps << ",\n"
     << "  \"seconds\": " << seconds << ",\n"
     << "  \"steps_per_s\": " << (seconds > 0 ? static_cast<double>(s.steps) / seconds : 0.0) << ",\n"
     << "  \"iou100_final\": " << s.iou100_final << ",\n"
     << "  \"fire_final\": " << s.fire_final << ",\n"
     << "  \"first_iou50\": " << s.first_iou50 << ",\n"
     << "  \"first_iou80\": " << s.first_iou80 << ",\n"
     << "  \"resume_iou50\": " << s.resume_iou50 << ",\n"
     << "  \"resume_iou80\": " << s.resume_iou80 << "\n"
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

int run_command(const RunOptions& opt) {
  Config cfg;
  std::unique_ptr<Simulation> sim;
  try {
    cfg = resolve_config(opt);
    sim = std::make_unique<Simulation>(cfg);
    if (!opt.out_dir.empty()) check_out_dir(opt.out_dir);
  } catch (const ConfigError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  } catch (const FileError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
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

  Progress progress(cfg.steps, !opt.quiet && ::isatty(STDERR_FILENO));
  const auto t0 = std::chrono::steady_clock::now();
  int exit_code = 0;
  for (std::int64_t i = 0; i < cfg.steps; ++i) {
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
    progress.update(s.step, s.iou100, s.fire);
    const Health h = sim->health();
    if (h != Health::kOk) {
      progress.finish();
      std::cerr << "spikecube-cli: step " << s.step << ": "
                << (h == Health::kNonFinite ? "membrane potential or threshold became NaN/inf" : "runaway firing (nearly every neuron firing for 1000 steps)")
                << "; stopping\n";
      exit_code = 3;
      break;
    }
  }
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const RunSummary summary = sim->summary();
  const double sps = seconds > 0 ? static_cast<double>(summary.steps) / seconds : 0.0;

  if (writing) {
    try {
      metrics->commit();
      if (layers) layers->commit();
      write_file_atomic((out / "config.toml").string(), to_toml(sim->config()));
      write_file_atomic((out / "summary.json").string(), summary_json(sim->config(), summary, seconds));
    } catch (const FileError& e) {
      std::cerr << "spikecube-cli: " << e.what() << "\n";
      return 2;
    }
  }
  std::cout << summary_line(summary, sps) << std::endl;
  return exit_code;
}

}  // namespace spikecube::cli
