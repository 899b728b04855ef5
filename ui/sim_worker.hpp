#pragma once
// The simulation thread. It owns the Simulation; the GUI never touches it.
//
// - Runs freely or at a chosen rate; pause, quit and single steps are atomics.
// - Every other GUI edit (set a parameter, input on/off, reset, new config,
//   checkpoint) is a command queued here and executed on the simulation thread
//   between two steps.
// - After a step it fills a Snapshot and publishes it by swapping buffers under
//   a short lock: at most ~60 times a second while running fast, after every
//   step when paced slowly or single-stepping. Readers swap it out with
//   take_snapshot(); nobody holds the lock while filling or drawing, so
//   rendering never blocks stepping.
// - When the model's Health is not kOk the run pauses and a message is posted.
//
// All public functions may be called from any thread (normally the GUI
// thread). Errors from commands (e.g. an out-of-range parameter) come back as
// messages through take_messages(), never as exceptions on the caller.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/input_mode.hpp"
#include "core/simulation.hpp"
#include "ui/snapshot.hpp"

namespace spikecube::ui {

struct WorkerMessage {
  enum class Kind { kInfo, kError, kDiverged } kind = Kind::kInfo;
  std::string text;  // one line
};

class SimWorker {
 public:
  // Builds the first Simulation (throws ConfigError for a bad config) and
  // starts the thread, paused.
  explicit SimWorker(const Config& cfg, int max_view_neurons = 1 << 18);
  ~SimWorker();  // quits and joins
  SimWorker(const SimWorker&) = delete;
  SimWorker& operator=(const SimWorker&) = delete;

  void set_running(bool run);
  bool running() const { return running_.load(std::memory_order_relaxed); }
  // Advances n steps (then stays paused); ignored while running.
  void request_steps(int n = 1);
  // Runs until step_count() == step, then pauses (step <= current: no-op).
  void run_until(std::int64_t step);
  // Target rate in steps per second; 0 = as fast as possible.
  void set_speed(double steps_per_s);
  double speed() const { return speed_.load(std::memory_order_relaxed); }

  // On, off or replay from memory (see core/input_mode.hpp); the snapshot
  // reports the mode in force.
  void set_input_mode(InputMode mode);
  // Live parameter change; an invalid key or value is reported as a message.
  void set_param(const std::string& key, double value);
  // Rebuilds the Simulation from the current config; new_seed replaces run.seed.
  void reset(bool new_seed);
  // Replaces the Simulation by one built from cfg (preset, opened file).
  void load_config(const Config& cfg);

  // Replaces the Simulation by what make() returns, built on the simulation
  // thread (e.g. opened from a checkpoint); if make() throws, nothing changes
  // and the error becomes a message.
  void replace_with(std::function<std::unique_ptr<Simulation>()> make);

  // Runs fn on the simulation thread between two steps (non-blocking). An
  // exception thrown by fn becomes an error message.
  void post(std::function<void(Simulation&)> fn);
  // Same, but waits until fn has run; returns false if it threw (the message
  // is queued as well). Never call from the simulation thread.
  bool call(std::function<void(Simulation&)> fn);

  // Swaps in the newest snapshot if one was published since the last call;
  // returns whether `out` changed. `out` keeps its buffers for reuse.
  bool take_snapshot(Snapshot& out);
  std::vector<WorkerMessage> take_messages();
  // Number of steps done so far (any thread, cheap).
  std::int64_t step_count() const { return step_count_.load(std::memory_order_relaxed); }

 private:
  using Command = std::function<void()>;
  void enqueue(Command c);
  struct LoopTimes;  // the loop's clocks (sim_worker.cpp)
  void loop();
  void wait_while_paused(LoopTimes& t);
  // Paced run: whether the next step is due now (else it has waited a little).
  bool step_due(LoopTimes& t, double speed);
  // One step; returns whether the run stops here (target step, divergence).
  bool step_once(bool single);
  void measure_and_publish(LoopTimes& t, bool run, double speed, bool stop);
  void run_commands();
  void apply_input_mode(InputMode mode);
  void replace_simulation(const Config& cfg);
  void install(std::unique_ptr<Simulation> next);
  void publish();
  void message(WorkerMessage::Kind kind, std::string text);

  // owned by the simulation thread
  std::unique_ptr<Simulation> sim_;
  Snapshot back_;
  std::uint64_t generation_ = 0, config_version_ = 0, seq_ = 0;
  std::shared_ptr<const Config> config_copy_;
  int max_view_neurons_;
  std::int64_t stop_at_ = -1;
  InputMode input_mode_ = InputMode::kOn;
  double measured_rate_ = 0;
  std::vector<MetricPoint> history_;  // steps since the last publish

  // shared
  std::atomic<bool> quit_{false};
  std::atomic<bool> running_{false};
  std::atomic<int> steps_requested_{0};
  std::atomic<double> speed_{0.0};
  std::atomic<bool> has_commands_{false};
  std::atomic<std::int64_t> step_count_{0};

  std::mutex cmd_mu_;
  std::condition_variable wake_;
  std::vector<Command> commands_;

  std::mutex snap_mu_;
  Snapshot ready_;
  bool ready_new_ = false;

  std::mutex msg_mu_;
  std::vector<WorkerMessage> messages_;

  std::thread thread_;
};

}  // namespace spikecube::ui
