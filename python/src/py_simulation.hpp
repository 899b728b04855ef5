#pragma once
// What the Python class spikecube.Simulation holds: a core Simulation, the
// metrics.csv rows of the steps it ran, and the time spent stepping (for
// summary.json's seconds and steps_per_s).
//
// Stepping releases the GIL. Another Python thread may run meanwhile, but it
// must not read this Simulation while it steps: every call checks a busy
// flag (set and read with the GIL held) and raises instead of racing.

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/simulation.hpp"

namespace spikecube::python {
namespace py = pybind11;

// The per-step rows of metrics.csv, one vector per column.
struct MetricsLog {
  std::vector<std::int64_t> step, out_px, target_px;
  std::vector<double> iou100, fire, iou;
  std::vector<std::uint8_t> input_on, replay;
  std::vector<std::vector<double>> extra;  // one per Simulation::extra_metric_names()

  void push(const StepMetrics& m);
  void clear();
};

class PySimulation {
 public:
  explicit PySimulation(std::unique_ptr<Simulation> sim);

  // The simulation, for reading between steps; raises RuntimeError while
  // another thread is stepping it.
  const Simulation& sim() const;
  Simulation& sim();

  // Runs `steps` steps with the GIL released. Between steps, at least every
  // 20 ms, it takes the GIL back to check for Ctrl-C (KeyboardInterrupt
  // propagates; the state is that after the last whole step). When every >
  // 0, calls callback(self) after each multiple of `every` steps run here.
  // With progress, writes a progress line to stderr. A model fault
  // (NaN/inf, runaway firing) raises spikecube.ModelFault after its step.
  void advance(const py::object& self, std::int64_t steps, bool progress, std::int64_t every,
               const py::object& callback);

  const MetricsLog& log() const { return log_; }
  std::int64_t steps_run() const { return ran_; }
  double seconds() const { return seconds_; }

 private:
  void check_idle() const;

  std::unique_ptr<Simulation> sim_;
  MetricsLog log_;
  std::int64_t ran_ = 0;  // steps run by this object (a loaded checkpoint's count excluded)
  double seconds_ = 0;    // wall time spent in those steps
  bool busy_ = false;     // a call is stepping with the GIL released
};

}  // namespace spikecube::python
