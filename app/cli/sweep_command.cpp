#include "app/cli/sweep_command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "app/cli/signal_guard.hpp"
#include "app/cli/sweep_plan.hpp"
#include "core/atomic_file.hpp"
#include "core/config.hpp"

namespace spikecube::cli {
namespace fs = std::filesystem;
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string last_line(const std::string& text) {
  std::string s = text;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  const auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

// The fixed part of a sweep; a folder holds the results of one such part.
std::string sweep_identity(const SweepOptions& opt, const std::vector<GridAxis>& axes, std::int64_t steps) {
  std::ostringstream id;
  if (!opt.config_path.empty()) {
    id << "config = " << fs::absolute(opt.config_path).string() << "\n";
  } else {
    id << "preset = " << (opt.preset.empty() ? "01_01" : opt.preset) << "\n";
  }
  id << "steps = " << steps << "\n";
  for (const auto& s : opt.overrides) id << "set = " << s << "\n";
  for (const auto& a : axes) id << "grid = " << a.key << "\n";
  return id.str();
}

struct Job {
  std::size_t index = 0;  // into the plan
  pid_t pid = -1;
  std::chrono::steady_clock::time_point start;
};

class Sweep {
 public:
  Sweep(const SweepOptions& opt, Config base, std::vector<GridAxis> axes, std::vector<SweepRun> plan)
      : opt_(opt),
        base_(std::move(base)),
        axes_(std::move(axes)),
        plan_(std::move(plan)),
        steps_(base_.steps),
        out_(opt.out_dir) {}

  int run() {
    load_previous();
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < plan_.size(); ++i) {
      if (previous_.find(axes_, plan_[i]) == nullptr) pending.push_back(i);
    }
    const std::size_t done_before = plan_.size() - pending.size();
    const int jobs =
        opt_.jobs && *opt_.jobs > 0 ? *opt_.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::cout << "sweep: " << plan_.size() << " runs (" << combos()
              << (combos() == 1 ? " combination x " : " combinations x ") << seeds()
              << (seeds() == 1 ? " seed), " : " seeds), ") << done_before << " already in "
              << (out_ / "results.csv").string() << ", " << jobs << " at a time" << std::endl;
    new_rows_.assign(plan_.size(), {});
    total_ = pending.size();
    start_ = std::chrono::steady_clock::now();
    if (total_ == 0) write_results();

    // no SA_RESTART: a signal interrupts waitpid, so the sweep can stop its
    // runs and leave results.csv as it stood
    SignalGuard signals(0);
    std::size_t next = 0;
    int failures = 0;
    while ((next < pending.size() && SignalGuard::received() == 0) || !running_.empty()) {
      while (SignalGuard::received() == 0 && next < pending.size() &&
             running_.size() < static_cast<std::size_t>(jobs)) {
        if (!launch(pending[next++])) return 2;
      }
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR) {
          if (SignalGuard::received() != 0) stop_running();
          continue;
        }
        break;  // no children left
      }
      failures += finish(pid, status) ? 0 : 1;
      draw_progress();
    }
    clear_progress();
    if (SignalGuard::received() != 0) {
      std::cerr << "spikecube-cli: sweep interrupted by " << (SignalGuard::received() == SIGINT ? "SIGINT" : "SIGTERM")
                << " after " << finished_ << " of " << total_ << " runs; " << (out_ / "results.csv").string()
                << " holds every finished run, and the same command continues the sweep\n";
      return SignalGuard::received() == SIGINT ? 130 : 143;
    }
    if (total_ == 0) return 0;
    const double wall = seconds_since(start_);
    std::cout << "sweep: " << finished_ << " runs in " << clock_text(wall) << " (" << run_seconds_ << " s of runs, "
              << (wall > 0 ? run_seconds_ / wall : 0.0) << "x parallel); results in " << (out_ / "results.csv").string()
              << " and " << (out_ / "table.md").string() << std::endl;
    return failures > 0 ? 2 : 0;
  }

 private:
  static double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }
  std::size_t combos() const {
    std::size_t c = 1;
    for (const auto& a : axes_) c *= a.values.size();
    return c;
  }
  std::size_t seeds() const { return plan_.size() / std::max<std::size_t>(1, combos()); }

  void load_previous() {
    const fs::path csv = out_ / "results.csv";
    if (fs::exists(csv)) previous_ = ResultTable::from_csv(slurp(csv));
  }

  std::vector<std::string> run_args(const SweepRun& r, const fs::path& dir) const {
    std::vector<std::string> a = {"run"};
    if (!opt_.config_path.empty()) {
      a.insert(a.end(), {"--config", fs::absolute(opt_.config_path).string()});
    } else if (!opt_.preset.empty()) {
      a.insert(a.end(), {"--preset", opt_.preset});
    }
    for (const auto& s : opt_.overrides) a.insert(a.end(), {"--set", s});
    for (std::size_t i = 0; i < axes_.size(); ++i) a.insert(a.end(), {"--set", axes_[i].key + "=" + r.values[i]});
    a.insert(a.end(), {"--steps", std::to_string(steps_), "--seed", std::to_string(r.seed), "--threads", "1", "--quiet",
                       "--out", dir.string()});
    return a;
  }

  bool launch(std::size_t index) {
    const SweepRun& r = plan_[index];
    const fs::path dir = out_ / "runs" / r.folder(axes_);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      std::cerr << "spikecube-cli: sweep: cannot create " << dir.string() << ": " << ec.message() << "\n";
      return false;
    }
    const auto args = run_args(r, dir);
    const std::string log = (dir / "log.txt").string();
    {
      std::ofstream head(log);
      head << "spikecube-cli";
      for (const auto& s : args) head << " " << s;
      head << "\n";
    }
    std::vector<char*> argv;
    std::string self = fs::read_symlink("/proc/self/exe").string();
    argv.push_back(self.data());
    std::vector<std::string> copy = args;
    for (auto& s : copy) argv.push_back(s.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
      std::cerr << "spikecube-cli: sweep: cannot start a run: " << std::strerror(errno) << "\n";
      return false;
    }
    if (pid == 0) {
      // own process group: a Ctrl-C at the terminal reaches the sweep only,
      // which then stops its runs in order
      ::setpgid(0, 0);
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    running_.push_back({index, pid, std::chrono::steady_clock::now()});
    return true;
  }

  void stop_running() {
    for (const auto& j : running_) ::kill(j.pid, SIGTERM);
  }

  // Records a finished run; false when it could not run at all.
  bool finish(pid_t pid, int status) {
    auto it = std::find_if(running_.begin(), running_.end(), [&](const Job& j) { return j.pid == pid; });
    if (it == running_.end()) return true;
    const Job job = *it;
    running_.erase(it);
    if (SignalGuard::received() != 0) return true;  // stopped by us: not a result
    const double secs = seconds_since(job.start);
    run_seconds_ += secs;
    const SweepRun& r = plan_[job.index];
    const fs::path dir = out_ / "runs" / r.folder(axes_);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

    std::map<std::string, std::string> row;
    std::vector<std::string> order;
    for (std::size_t i = 0; i < axes_.size(); ++i) {
      row[axes_[i].key] = r.values[i];
      order.push_back(axes_[i].key);
    }
    row["seed"] = std::to_string(r.seed);
    // whether the input comes back after an off window within the run, so
    // that table.md can tell "never relearnt" from "nothing to relearn"
    const Config cfg = config_for_run(base_, axes_, r);
    bool resumes = false;
    for (const auto& off : cfg.input_off) resumes = resumes || (off.first <= cfg.steps && off.last < cfg.steps);
    for (const auto& iv : cfg.replay) resumes = resumes || (iv.first <= cfg.steps && iv.last < cfg.steps);
    row["input_returns"] = resumes ? "yes" : "no";
    row["status"] = code == 0 ? "ok" : code == 3 ? "fault" : "error " + std::to_string(code);
    order.insert(order.end(), {"seed", "status", "input_returns"});
    bool ok = code == 0 || code == 3;
    if (code == 0) {
      try {
        for (auto& [k, v] : read_flat_json(slurp(dir / "summary.json"))) {
          if (k == "seed") continue;
          row[k] = v;
          order.push_back(k);
        }
      } catch (const ConfigError& e) {
        row["status"] = "error: " + std::string(e.what());
        ok = false;
      }
    }
    new_rows_[job.index] = {row, order};
    ++finished_;
    clear_progress();
    if (!opt_.quiet) {
      std::cout << "[" << finished_ << "/" << total_ << "] " << r.label(axes_) << ": ";
      if (code == 0) {
        std::cout << "first_iou80=" << row["first_iou80"] << " iou100_final=" << row["iou100_final"]
                  << " fire_final=" << row["fire_final"];
      } else {
        std::cout << row["status"] << ": " << last_line(slurp(dir / "log.txt"));
      }
      std::cout << " (" << clock_text(secs) << ")" << std::endl;
    }
    write_results();
    return ok;
  }

  void write_results() {
    ResultTable t = previous_;
    for (const auto& entry : new_rows_) {
      if (entry) t.add(entry->first, entry->second);
    }
    write_file_atomic((out_ / "results.csv").string(), t.to_csv());
    write_file_atomic((out_ / "table.md").string(), summary_table(axes_, t));
  }

  void draw_progress() {
    if (opt_.quiet || !::isatty(2) || total_ == 0) return;
    const double elapsed = seconds_since(start_);
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(static_cast<double>(finished_) / static_cast<double>(total_) * kWidth);
    std::string bar(kWidth, '.');
    for (int i = 0; i < filled; ++i) bar[static_cast<std::size_t>(i)] = '#';
    std::string eta = "?";
    if (finished_ > 0)
      eta = clock_text(elapsed / static_cast<double>(finished_) * static_cast<double>(total_ - finished_));
    std::fprintf(stderr, "\r[%s] %zu/%zu runs  %zu running  elapsed %s  ETA %s ", bar.c_str(), finished_, total_,
                 running_.size(), clock_text(elapsed).c_str(), eta.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear_progress() {
    if (drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

  const SweepOptions& opt_;
  Config base_;
  std::vector<GridAxis> axes_;
  std::vector<SweepRun> plan_;
  std::int64_t steps_;
  fs::path out_;
  ResultTable previous_;
  std::vector<std::optional<std::pair<std::map<std::string, std::string>, std::vector<std::string>>>> new_rows_;
  std::vector<Job> running_;
  std::size_t total_ = 0, finished_ = 0;
  double run_seconds_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

int sweep_command(const SweepOptions& opt) {
  try {
    if (opt.out_dir.empty()) throw ConfigError("--out: a sweep needs an output folder (--out DIR)");
    if (!opt.preset.empty() && !opt.config_path.empty()) {
      throw ConfigError("--preset and --config: give one of them, not both");
    }
    Config base = !opt.config_path.empty() ? load_config_file(opt.config_path)
                                           : load_preset(opt.preset.empty() ? "01_01" : opt.preset);
    for (const auto& s : opt.overrides) apply_override(base, s);
    if (opt.steps) base.steps = *opt.steps;

    std::vector<GridAxis> axes;
    for (const auto& g : opt.grid) {
      axes.push_back(parse_grid_axis(g));
      for (std::size_t i = 0; i + 1 < axes.size(); ++i) {
        if (axes[i].key == axes.back().key) throw ConfigError("--grid " + axes.back().key + ": the key is given twice");
      }
    }
    const auto seeds = parse_seed_list(opt.seeds);
    const auto plan = expand_sweep(axes, seeds);
    // every run's config is checked before the first starts, so a typo in
    // the last value cannot fail a sweep hours in
    for (const auto& r : plan) (void)config_for_run(base, axes, r);

    const fs::path out(opt.out_dir);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw ConfigError("--out: cannot create " + out.string() + ": " + ec.message());
    const std::string identity = sweep_identity(opt, axes, base.steps);
    const fs::path id_file = out / "sweep.txt";
    if (fs::exists(id_file)) {
      if (slurp(id_file) != identity) {
        throw ConfigError("--out: " + out.string() + " holds a sweep with other fixed settings (see " +
                          id_file.string() + "); use another folder");
      }
    } else {
      write_file_atomic(id_file.string(), identity);
    }
    Sweep sweep(opt, base, axes, plan);
    return sweep.run();
  } catch (const ConfigError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  } catch (const FileError& e) {
    std::cerr << "spikecube-cli: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace spikecube::cli
