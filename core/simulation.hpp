#pragma once
// A Simulation is one experiment: a model, its stimulus, the input switch and
// the metrics. Headless runs, benchmarks, tests and the GUI's simulation
// thread all drive this same class, so a config and seed give the same
// spikes and weights wherever they run.
//
// Timing of the task (as in the original experiment): the target at step t is
// the stimulus frame (all zero while the input is off), and the network's
// input at step t is the target of step t-1. The stimulus advances only on
// steps with the input on, so it resumes where it stopped.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/stimulus.hpp"

namespace spikecube {

struct StepMetrics {
  std::int64_t step = 0;
  double iou = 0;       // this step
  double iou100 = 0;    // mean over the last 100 steps
  double fire = 0;      // fraction of hidden neurons that spiked this step
  int out_px = 0;       // lit output pixels
  int target_px = 0;    // lit target pixels
  bool input_on = true;
  std::vector<double> extra;  // model-specific, named by Simulation::extra_metric_names()
};

struct RunSummary {
  std::int64_t steps = 0;
  double iou100_final = 0;
  double fire_final = 0;  // mean hidden firing rate over the last 100 steps
  std::int64_t first_iou50 = -1, first_iou80 = -1;
  std::int64_t resume_iou50 = -1, resume_iou80 = -1;
  bool resumed = false;   // the input came back on after being off
};

class Simulation {
 public:
  // Throws ConfigError for an invalid config.
  explicit Simulation(const Config& cfg);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Advances one input frame.
  void step();

  const Config& config() const { return cfg_; }
  const Model& model() const { return *model_; }
  std::int64_t step_count() const { return step_; }
  const StepMetrics& last() const { return last_; }
  const std::vector<std::string>& extra_metric_names() const { return extra_names_; }
  RunSummary summary() const;

  // Live changes, applied between steps. set_param throws ConfigError (and
  // changes nothing) for an unknown, non-live or out-of-range value.
  void set_param(const std::string& key, double value);
  void set_input_enabled(bool on) { input_enabled_ = on; }
  bool input_enabled() const { return input_enabled_; }
  // Whether the input is on at the next step (manual switch and schedule).
  bool input_on_next() const;

  const Frame& input_frame() const { return input_; }
  const Frame& target_frame() const { return target_; }
  const Frame& output_frame() const { return model_->output(); }
  Health health() const { return model_->health(); }

  void save(StateArchive& out) const;
  // Replaces the whole state; the archive's config must describe the same
  // model and sizes. Throws StateError or ConfigError and then leaves this
  // Simulation unchanged.
  void load(const StateArchive& in);

 private:
  Config cfg_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Stimulus> stimulus_;
  InputSchedule schedule_;
  bool input_enabled_ = true;
  std::int64_t step_ = 0;
  Frame input_, target_;
  std::vector<Point> input_points_, target_points_;
  IouWindow iou_window_;
  std::array<double, IouWindow::kWindow> fire_ring_{};
  LearningClock clock_;
  StepMetrics last_;
  std::vector<std::string> extra_names_;
};

}  // namespace spikecube
