#include "ui/sim_worker.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <utility>

#include "core/health.hpp"

namespace spikecube::ui {
namespace {

using Clock = std::chrono::steady_clock;
// free-running publishes at most this often; the view cannot show more
constexpr auto kPublishInterval = std::chrono::microseconds(16'000);
constexpr auto kRateWindow = std::chrono::milliseconds(500);

}  // namespace

SimWorker::SimWorker(const Config& cfg, int max_view_neurons)
    : sim_(std::make_unique<Simulation>(cfg)), max_view_neurons_(max_view_neurons) {
  config_copy_ = std::make_shared<const Config>(sim_->config());
  publish();
  thread_ = std::thread([this] { loop(); });
}

SimWorker::~SimWorker() {
  quit_.store(true);
  {
    std::lock_guard lock(cmd_mu_);  // pairs with the wait in loop(): no lost wake-up
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SimWorker::enqueue(Command c) {
  {
    std::lock_guard lock(cmd_mu_);
    commands_.push_back(std::move(c));
    has_commands_.store(true, std::memory_order_release);
  }
  wake_.notify_all();
}

void SimWorker::set_running(bool run) {
  {
    std::lock_guard lock(cmd_mu_);
    running_.store(run);
  }
  wake_.notify_all();
}

void SimWorker::request_steps(int n) {
  {
    std::lock_guard lock(cmd_mu_);
    steps_requested_.fetch_add(n);
  }
  wake_.notify_all();
}

void SimWorker::run_until(std::int64_t step) {
  enqueue([this, step] {
    if (step <= sim_->step_count()) return;
    stop_at_ = step;
    running_.store(true);
  });
}

void SimWorker::set_speed(double steps_per_s) { speed_.store(steps_per_s < 0 ? 0 : steps_per_s); }

void SimWorker::set_input_mode(InputMode mode) {
  enqueue([this, mode] { apply_input_mode(mode); });
}

void SimWorker::apply_input_mode(InputMode mode) {
  input_mode_ = mode;
  sim_->set_input_mode(mode);
}

void SimWorker::set_param(const std::string& key, double value) {
  enqueue([this, key, value] {
    sim_->set_param(key, value);  // throws ConfigError -> message
    config_copy_ = std::make_shared<const Config>(sim_->config());
    ++config_version_;
  });
}

void SimWorker::reset(bool new_seed) {
  enqueue([this, new_seed] {
    Config cfg = sim_->config();
    if (new_seed) cfg.seed = cfg.seed + 1;
    replace_simulation(cfg);
  });
}

void SimWorker::load_config(const Config& cfg) {
  enqueue([this, cfg] { replace_simulation(cfg); });
}

void SimWorker::post(std::function<void(Simulation&)> fn) {
  enqueue([this, fn = std::move(fn)] {
    fn(*sim_);
    // fn may have loaded a checkpoint or changed the config
    config_copy_ = std::make_shared<const Config>(sim_->config());
    ++config_version_;
  });
}

bool SimWorker::call(std::function<void(Simulation&)> fn) {
  auto done = std::make_shared<std::promise<bool>>();
  auto result = done->get_future();
  enqueue([this, fn = std::move(fn), done] {
    try {
      fn(*sim_);
      config_copy_ = std::make_shared<const Config>(sim_->config());
      ++config_version_;
      done->set_value(true);
    } catch (...) {
      done->set_value(false);
      throw;  // run_commands turns it into a message
    }
  });
  return result.get();
}

void SimWorker::replace_with(std::function<std::unique_ptr<Simulation>()> make) {
  enqueue([this, make = std::move(make)] { install(make()); });
}

void SimWorker::replace_simulation(const Config& cfg) {
  install(std::make_unique<Simulation>(cfg));  // throws before anything changes
}

void SimWorker::install(std::unique_ptr<Simulation> next) {
  if (!next) return;
  sim_ = std::move(next);
  ++generation_;
  ++config_version_;
  config_copy_ = std::make_shared<const Config>(sim_->config());
  stop_at_ = -1;
  input_mode_ = sim_->input_mode();
  history_.clear();
  steps_requested_.store(0);
  step_count_.store(sim_->step_count(), std::memory_order_relaxed);
}

void SimWorker::message(WorkerMessage::Kind kind, std::string text) {
  std::lock_guard lock(msg_mu_);
  messages_.push_back({kind, std::move(text)});
}

std::vector<WorkerMessage> SimWorker::take_messages() {
  std::lock_guard lock(msg_mu_);
  return std::exchange(messages_, {});
}

void SimWorker::run_commands() {
  std::vector<Command> todo;
  {
    std::lock_guard lock(cmd_mu_);
    todo.swap(commands_);
    has_commands_.store(false, std::memory_order_relaxed);
  }
  for (auto& c : todo) {
    try {
      c();
    } catch (const std::exception& e) {
      message(WorkerMessage::Kind::kError, e.what());
    } catch (...) {
      message(WorkerMessage::Kind::kError, "unknown error in a simulation command");
    }
  }
}

void SimWorker::publish() {
  Snapshot& s = back_;
  const Simulation& sim = *sim_;
  s.seq = ++seq_;
  s.generation = generation_;
  s.step = sim.step_count();
  s.metrics = sim.last();
  s.running = running_.load(std::memory_order_relaxed);
  s.input_enabled = sim.input_enabled();
  // a checkpoint loaded through post() may have switched the input itself
  s.input_mode = sim.input_mode();
  s.input_on_next = sim.input_on_next();
  s.mode_next = sim.mode_next();
  s.health = sim.health();
  s.steps_per_s = measured_rate_;
  s.input = sim.input_frame();
  s.target = sim.target_frame();
  s.output = sim.output_frame();
  sim.model().view(s.neurons, max_view_neurons_);
  sim.model().layer_rates(s.layer_rates);
  s.group_size = sim.model().group_size();
  sim.model().group_potentials(s.group_potentials);
  s.extra_names = sim.extra_metric_names();
  s.config = config_copy_;
  s.config_version = config_version_;
  std::lock_guard lock(snap_mu_);
  // a snapshot nobody took yet still holds history the reader has not seen
  s.history.clear();
  if (ready_new_ && ready_.generation == s.generation) s.history.swap(ready_.history);
  s.history.insert(s.history.end(), history_.begin(), history_.end());
  history_.clear();
  std::swap(back_, ready_);
  ready_new_ = true;
}

bool SimWorker::take_snapshot(Snapshot& out) {
  std::lock_guard lock(snap_mu_);
  if (!ready_new_) return false;
  std::swap(out, ready_);
  ready_new_ = false;
  return true;
}

// The loop's clocks and counters (simulation thread only).
struct SimWorker::LoopTimes {
  Clock::time_point last_publish = Clock::now();
  Clock::time_point rate_start = last_publish;
  Clock::time_point next_due = last_publish;  // pacing deadline when a speed is set
  std::int64_t rate_steps = 0;
  bool dirty = false;  // state changed since the last publish
};

void SimWorker::loop() {
  LoopTimes t;
  while (!quit_.load(std::memory_order_relaxed)) {
    if (has_commands_.load(std::memory_order_acquire)) {
      run_commands();
      t.dirty = true;
    }
    const bool run = running_.load(std::memory_order_relaxed);
    const bool single = !run && steps_requested_.load(std::memory_order_relaxed) > 0;
    if (!run && !single) {
      wait_while_paused(t);
      continue;
    }
    const double speed = speed_.load(std::memory_order_relaxed);
    if (run && speed > 0 && !step_due(t, speed)) continue;
    const bool stop = step_once(single);
    ++t.rate_steps;
    measure_and_publish(t, run, speed, stop);
  }
}

void SimWorker::wait_while_paused(LoopTimes& t) {
  if (t.dirty) {
    measured_rate_ = 0;
    publish();
    t.dirty = false;
  }
  {
    std::unique_lock lock(cmd_mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(100), [this] {
      return quit_.load() || running_.load() || steps_requested_.load() > 0 || !commands_.empty();
    });
  }
  // the rate and the pacing start afresh when the run resumes
  t.rate_start = Clock::now();
  t.rate_steps = 0;
  t.next_due = t.rate_start;
}

bool SimWorker::step_due(LoopTimes& t, double speed) {
  const auto now = Clock::now();
  if (now < t.next_due) {
    // sleep in short slices so commands and pause stay responsive
    std::unique_lock lock(cmd_mu_);
    wake_.wait_until(lock, std::min(t.next_due, now + std::chrono::milliseconds(50)),
                     [this] { return quit_.load() || !running_.load() || !commands_.empty(); });
    return false;
  }
  // a late step does not earn a burst of catch-up steps beyond 100 ms
  t.next_due =
      std::max(t.next_due + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / speed)),
               now - std::chrono::milliseconds(100));
  return true;
}

bool SimWorker::step_once(bool single) {
  sim_->step();
  const StepMetrics& m = sim_->last();
  history_.push_back({m.step, static_cast<float>(m.iou100), static_cast<float>(m.fire)});
  step_count_.store(sim_->step_count(), std::memory_order_relaxed);
  if (single) steps_requested_.fetch_sub(1);
  bool stop = false;
  if (stop_at_ >= 0 && sim_->step_count() >= stop_at_) {
    stop_at_ = -1;
    stop = true;
  }
  if (const Health h = sim_->health(); h != Health::kOk) {
    stop = true;
    message(WorkerMessage::Kind::kDiverged, "paused at step " + std::to_string(sim_->step_count()) + ": " +
                                                health_message(h, sim_->config().model) +
                                                "; change parameters or reset");
  }
  if (stop) running_.store(false);
  return stop;
}

void SimWorker::measure_and_publish(LoopTimes& t, bool run, double speed, bool stop) {
  const auto now = Clock::now();
  if (now - t.rate_start >= kRateWindow) {
    measured_rate_ = static_cast<double>(t.rate_steps) / std::chrono::duration<double>(now - t.rate_start).count();
    t.rate_start = now;
    t.rate_steps = 0;
  }
  // slow or single steps: every step is shown; fast: at most every kPublishInterval
  const bool slow = !run || (speed > 0 && speed <= 120);
  if (slow || stop || now - t.last_publish >= kPublishInterval) {
    publish();
    t.last_publish = now;
    t.dirty = false;
  } else {
    t.dirty = true;
  }
}

}  // namespace spikecube::ui
