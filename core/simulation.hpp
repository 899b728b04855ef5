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
//
// Replay from memory (schedule.replay, or set_input_mode(kReplay)): the
// stimulus keeps moving unseen, the network's input at step t is its own
// prediction of step t-1 (in place of the frame it predicted), the readout
// does not learn, and the metrics compare the prediction with where the
// stimulus really is. A manual mode other than on overrides the schedule.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/input_mode.hpp"
#include "core/metrics.hpp"
#include "core/model.hpp"
#include "core/stimulus.hpp"

namespace spikecube {

struct StepMetrics {
  std::int64_t step = 0;
  double iou = 0;     // this step
  double iou100 = 0;  // mean over the last 100 steps
  double fire = 0;    // fraction of hidden neurons that spiked this step
  int out_px = 0;     // lit output pixels
  int target_px = 0;  // lit target pixels
  bool input_on = true;
  bool replay = false;        // replayed from memory (input_on is then false)
  std::vector<double> extra;  // model-specific, named by Simulation::extra_metric_names()
};

struct RunSummary {
  std::int64_t steps = 0;
  double iou100_final = 0;
  double fire_final = 0;  // mean hidden firing rate over the last 100 steps
  std::int64_t first_iou50 = -1, first_iou80 = -1;
  std::int64_t resume_iou50 = -1, resume_iou80 = -1;
  bool resumed = false;  // the input came back on after being off
  // The latest replay window (-1 when the run had none): mean per-step IoU
  // over its first 100 steps, and how many of its steps kept the mean IoU of
  // the last 10 (fewer at its start) at 0.8 or more without a break.
  double replay_iou100 = -1;
  std::int64_t replay_steps_80 = -1;
};

// Tracks the latest replay window for RunSummary (and checkpoints).
class ReplayClock {
 public:
  void on_step(bool replay, double iou);
  double iou100() const;          // -1 without replay
  std::int64_t steps_80() const;  // -1 without replay
  std::vector<std::int64_t> state() const;
  std::vector<double> values() const;
  void set_state(const std::vector<std::int64_t>& s, const std::vector<double>& v);

 private:
  static constexpr int kWindow = 10;
  std::int64_t count_ = 0;  // steps of the latest replay window so far
  std::int64_t steps_80_ = 0;
  bool alive_ = true;       // every 10-step mean so far >= 0.8
  bool replaying_ = false;  // the last step was a replay step
  double sum100_ = 0;
  std::array<double, kWindow> ring_{};
};

class Simulation {
 public:
  // Throws ConfigError for an invalid config. comm: the ranks the model is
  // split over (a lattice model; every rank runs its own Simulation in step
  // with the others, and they all compute the same metrics).
  explicit Simulation(const Config& cfg, RankComm& comm = single_rank());
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Advances one input frame.
  void step();

  const Config& config() const { return cfg_; }
  const Model& model() const { return *model_; }
  RankComm& comm() const { return *comm_; }
  std::int64_t step_count() const { return step_; }
  const StepMetrics& last() const { return last_; }
  const std::vector<std::string>& extra_metric_names() const { return extra_names_; }
  RunSummary summary() const;

  // Live changes, applied between steps. set_param throws ConfigError (and
  // changes nothing) for an unknown, non-live or out-of-range value.
  void set_param(const std::string& key, double value);
  // The manual input switch: on (the schedule decides), off or replay.
  void set_input_mode(InputMode mode) { mode_ = mode; }
  InputMode input_mode() const { return mode_; }
  void set_input_enabled(bool on) { mode_ = on ? InputMode::kOn : InputMode::kOff; }
  bool input_enabled() const { return mode_ == InputMode::kOn; }
  // The input mode of the next step (manual switch, then schedule).
  InputMode mode_next() const;
  // Whether the input is on at the next step (manual switch and schedule).
  bool input_on_next() const { return mode_next() == InputMode::kOn; }

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
  RankComm* comm_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Stimulus> stimulus_;
  InputSchedule schedule_;
  InputMode mode_ = InputMode::kOn;
  std::int64_t step_ = 0;
  Frame input_, target_;
  std::vector<Point> input_points_, target_points_;
  IouWindow iou_window_;
  std::array<double, IouWindow::kWindow> fire_ring_{};
  LearningClock clock_;
  ReplayClock replay_clock_;
  StepMetrics last_;
  std::vector<std::string> extra_names_;
};

}  // namespace spikecube
