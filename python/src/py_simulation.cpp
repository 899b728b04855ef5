#include "python/src/py_simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "core/health.hpp"
#include "python/src/module_errors.hpp"

namespace spikecube::python {
namespace {

using Clock = std::chrono::steady_clock;
// Longest stretch stepped without the GIL: bounds the delay of Ctrl-C and of
// callbacks, and is long enough that taking the GIL back costs nothing.
constexpr auto kSlice = std::chrono::milliseconds(20);

// Clears and restores the busy flag around a stepping call.
class BusyScope {
 public:
  explicit BusyScope(bool& flag) : flag_(flag) { flag_ = true; }
  ~BusyScope() { flag_ = false; }
  BusyScope(const BusyScope&) = delete;
  BusyScope& operator=(const BusyScope&) = delete;

 private:
  bool& flag_;
};

void write_progress(std::int64_t done, std::int64_t total, const StepMetrics& m, bool last) {
  char line[160];
  const int width = 30;
  const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
  std::snprintf(line, sizeof line, "\r[%-*.*s] %lld/%lld steps  iou100 %.3f  fire %.4f%s", width, filled,
                "##############################", static_cast<long long>(done), static_cast<long long>(total), m.iou100,
                m.fire, last ? "\n" : "");
  py::module_::import("sys").attr("stderr").attr("write")(line);
  py::module_::import("sys").attr("stderr").attr("flush")();
}

}  // namespace

void MetricsLog::push(const StepMetrics& m) {
  step.push_back(m.step);
  iou100.push_back(m.iou100);
  fire.push_back(m.fire);
  out_px.push_back(m.out_px);
  iou.push_back(m.iou);
  target_px.push_back(m.target_px);
  input_on.push_back(m.input_on ? 1 : 0);
  replay.push_back(m.replay ? 1 : 0);
  if (extra.size() < m.extra.size()) extra.resize(m.extra.size());
  for (std::size_t k = 0; k < m.extra.size(); ++k) extra[k].push_back(m.extra[k]);
}

void MetricsLog::clear() { *this = MetricsLog{}; }

PySimulation::PySimulation(std::unique_ptr<Simulation> sim) : sim_(std::move(sim)) {}

void PySimulation::check_idle() const {
  if (busy_) throw std::runtime_error("this Simulation is stepping in another thread; wait until that call returns");
}

const Simulation& PySimulation::sim() const {
  check_idle();
  return *sim_;
}

Simulation& PySimulation::sim() {
  check_idle();
  return *sim_;
}

void PySimulation::advance(const py::object& self, std::int64_t steps, bool progress, std::int64_t every,
                           const py::object& callback) {
  check_idle();
  if (steps < 0)
    throw ConfigError("steps: " + std::to_string(steps) + " is out of range; expected an integer in [0, inf)");
  if (every < 0)
    throw ConfigError("every: " + std::to_string(every) + " is out of range; expected an integer in [1, inf)");
  const bool calls = every > 0 && !callback.is_none();
  auto last_progress = Clock::now();
  std::int64_t done = 0;
  while (done < steps) {
    const std::int64_t stop = every > 0 ? std::min(steps, (done / every + 1) * every) : steps;
    Health health = Health::kOk;
    {
      BusyScope busy(busy_);
      py::gil_scoped_release release;
      const auto t0 = Clock::now();
      while (done < stop) {
        sim_->step();
        log_.push(sim_->last());
        ++done;
        ++ran_;
        health = sim_->health();
        if (health != Health::kOk || Clock::now() - t0 >= kSlice) break;
      }
      seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
    }
    if (health != Health::kOk) {
      if (progress) write_progress(done, steps, sim_->last(), true);
      throw ModelFault(fault_line(sim_->step_count(), health, sim_->config().model));
    }
    if (PyErr_CheckSignals() != 0) {
      if (progress) write_progress(done, steps, sim_->last(), true);
      throw py::error_already_set();
    }
    if (progress && (done == steps || Clock::now() - last_progress >= std::chrono::milliseconds(200))) {
      write_progress(done, steps, sim_->last(), done == steps);
      last_progress = Clock::now();
    }
    if (calls && done % every == 0) callback(self);
  }
}

}  // namespace spikecube::python
