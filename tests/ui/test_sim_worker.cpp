// The simulation thread: commands land between steps, snapshots are
// consistent while the thread runs, and sampling the state for the GUI does
// not change the result (same hash as a headless run). Run under TSan with
// the SPIKECUBE_TSAN build (see README / report).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "core/config.hpp"
#include "core/input_mode.hpp"
#include "core/simulation.hpp"
#include "ui/pace.hpp"
#include "ui/sim_worker.hpp"

namespace spikecube::ui {
namespace {

using namespace std::chrono_literals;

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds limit = 30s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

Config small_layer() {
  Config c = load_preset("01_01");
  c.n = 16;  // small and quick; same code paths
  return c;
}

TEST(SimWorker, StartsPausedAndPublishesTheInitialState) {
  SimWorker w(small_layer());
  Snapshot s;
  ASSERT_TRUE(w.take_snapshot(s));
  EXPECT_EQ(s.step, 0);
  EXPECT_FALSE(s.running);
  EXPECT_EQ(s.input.size(), 16u * 16u);
  ASSERT_TRUE(s.config);
  EXPECT_EQ(s.config->n, 16);
  // two round trips through the simulation thread's loop (commands run
  // between steps): a thread that stepped on its own would have done so
  ASSERT_TRUE(w.call([](Simulation&) {}));
  ASSERT_TRUE(w.call([](Simulation&) {}));
  EXPECT_EQ(w.step_count(), 0);
}

TEST(SimWorker, GroupsModelPublishesGroupPotentials) {
  SimWorker w(load_preset("groups-thin"));  // 48 x 48 x 4, g = 2
  Snapshot s;
  ASSERT_TRUE(w.take_snapshot(s));
  EXPECT_EQ(s.group_size, 2);
  EXPECT_EQ(s.group_potentials.size(), 24u * 24u * 2u);
  SimWorker layer(small_layer());
  ASSERT_TRUE(layer.take_snapshot(s));
  EXPECT_EQ(s.group_size, 0);
  EXPECT_TRUE(s.group_potentials.empty());
}

TEST(SimWorker, RequestedStepsAdvanceExactlyThenStop) {
  SimWorker w(small_layer());
  w.request_steps(5);
  ASSERT_TRUE(wait_for([&] { return w.step_count() == 5; }));
  ASSERT_TRUE(w.call([](Simulation&) {}));  // the loop came round again without stepping
  ASSERT_TRUE(w.call([](Simulation&) {}));
  EXPECT_EQ(w.step_count(), 5);
  EXPECT_FALSE(w.running());
  Snapshot s;
  ASSERT_TRUE(wait_for([&] { return w.take_snapshot(s) && s.step == 5; }));
  EXPECT_EQ(s.metrics.step, 5);
}

TEST(SimWorker, SnapshotsStayConsistentWhileRunningAndCommandsArrive) {
  SimWorker w(small_layer());
  std::atomic<bool> stop{false};
  std::atomic<int> taken{0}, bad{0};
  // a reader thread standing in for the GUI timer
  std::thread reader([&] {
    Snapshot s;
    std::int64_t last = -1;
    while (!stop.load()) {
      if (w.take_snapshot(s)) {
        ++taken;
        const auto pixels = static_cast<std::size_t>(s.config->n) * s.config->n;
        if (s.step < last || s.input.size() != pixels || s.output.size() != pixels ||
            s.neurons.potential.size() != static_cast<std::size_t>(s.neurons.dims.count()) || s.metrics.step != s.step)
          ++bad;
        last = s.step;
      }
      std::this_thread::sleep_for(2ms);
    }
  });
  w.set_running(true);
  for (int i = 0; i < 20; ++i) {
    w.set_param("stdp.a_plus", 0.001 * (i + 1));
    w.set_input_mode(i % 2 == 0 ? InputMode::kOn : InputMode::kOff);
    // let some steps pass between commands (an event, not a fixed sleep)
    const auto at = w.step_count();
    ASSERT_TRUE(wait_for([&] { return w.step_count() > at; }));
  }
  w.set_input_mode(InputMode::kOn);
  ASSERT_TRUE(wait_for([&] { return w.step_count() > 200 && taken.load() > 3; }));
  w.set_running(false);
  stop.store(true);
  reader.join();
  EXPECT_GT(taken.load(), 3);
  EXPECT_EQ(bad.load(), 0);
  double a_plus = 0;
  ASSERT_TRUE(w.call([&](Simulation& sim) { a_plus = sim.config().a_plus; }));
  EXPECT_DOUBLE_EQ(a_plus, 0.020);
}

TEST(SimWorker, HistoryCoversEveryStepOnce) {
  SimWorker w(small_layer());
  Snapshot s;
  std::vector<std::int64_t> steps;
  w.run_until(400);
  ASSERT_TRUE(wait_for([&] {
    if (w.take_snapshot(s))
      for (const auto& m : s.history) steps.push_back(m.step);
    return !steps.empty() && steps.back() == 400;
  }));
  ASSERT_EQ(steps.size(), 400u);
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i], static_cast<std::int64_t>(i) + 1);
}

TEST(SimWorker, SamplingForTheViewDoesNotChangeTheResult) {
  const Config cfg = small_layer();
  Simulation headless(cfg);
  for (int i = 0; i < 600; ++i) headless.step();

  SimWorker w(cfg);
  w.set_speed(0);
  w.run_until(600);
  Snapshot s;
  ASSERT_TRUE(wait_for([&] {
    w.take_snapshot(s);
    return s.step == 600 && !s.running;
  }));
  std::uint64_t hash = 0;
  ASSERT_TRUE(w.call([&](Simulation& sim) { hash = sim.model().state_hash(); }));
  EXPECT_EQ(hash, headless.model().state_hash());
}

TEST(SimWorker, CubeWithWorkerThreadsMatchesHeadlessWhileSampled) {
  Config cfg = load_preset("cube-4");
  cfg.threads = 2;  // the model's own pool runs inside the simulation thread
  Simulation headless(cfg);
  for (int i = 0; i < 300; ++i) headless.step();

  SimWorker w(cfg);
  w.run_until(300);
  Snapshot s;
  ASSERT_TRUE(wait_for([&] {
    w.take_snapshot(s);  // sampled while it runs, as the GUI does
    return s.step == 300 && !s.running;
  }));
  EXPECT_EQ(s.neurons.potential.size(), static_cast<std::size_t>(48 * 48 * 4));
  EXPECT_EQ(s.layer_rates.size(), 4u);
  std::uint64_t hash = 0;
  ASSERT_TRUE(w.call([&](Simulation& sim) { hash = sim.model().state_hash(); }));
  EXPECT_EQ(hash, headless.model().state_hash());
}

TEST(SimWorker, InputSwitchReachesTheModel) {
  SimWorker w(small_layer());
  w.set_input_mode(InputMode::kOff);
  w.request_steps(3);
  ASSERT_TRUE(wait_for([&] { return w.step_count() == 3; }));
  bool enabled = true, on = true;
  ASSERT_TRUE(w.call([&](Simulation& sim) {
    enabled = sim.input_enabled();
    on = sim.last().input_on;
  }));
  EXPECT_FALSE(enabled);
  EXPECT_FALSE(on);
  Snapshot s;
  ASSERT_TRUE(wait_for([&] { return w.take_snapshot(s) && s.step == 3; }));
  EXPECT_EQ(s.input_mode, InputMode::kOff);
}

// Replay reaches the engine: the network's input is its own last prediction.
TEST(SimWorker, ReplayModeReachesTheEngineAndIsReported) {
  SimWorker w(small_layer());
  w.request_steps(50);
  ASSERT_TRUE(wait_for([&] { return w.step_count() == 50; }));
  Frame prediction;
  ASSERT_TRUE(w.call([&](Simulation& sim) { prediction = sim.output_frame(); }));
  w.set_input_mode(InputMode::kReplay);
  // commands run in order: once this call has run, so has the mode change
  InputMode mode = InputMode::kOn;
  ASSERT_TRUE(w.call([&](Simulation& sim) { mode = sim.input_mode(); }));
  ASSERT_EQ(mode, InputMode::kReplay);
  w.request_steps(1);
  ASSERT_TRUE(wait_for([&] { return w.step_count() == 51; }));
  bool replayed = false, enabled = true;
  Frame input;
  ASSERT_TRUE(w.call([&](Simulation& sim) {
    replayed = sim.last().replay;
    enabled = sim.input_enabled();
    input = sim.input_frame();
  }));
  EXPECT_TRUE(replayed);
  EXPECT_FALSE(enabled);
  EXPECT_EQ(input, prediction) << "in replay the input is the last prediction";
  w.request_steps(1);
  ASSERT_TRUE(wait_for([&] { return w.step_count() == 52; }));
  Snapshot s;
  ASSERT_TRUE(wait_for([&] { return w.take_snapshot(s) && s.step == 52; }));
  EXPECT_EQ(s.input_mode, InputMode::kReplay);
  EXPECT_TRUE(s.metrics.replay);
  EXPECT_TRUE(w.take_messages().empty());
  // a reset starts the new run with the input on
  w.reset(false);
  ASSERT_TRUE(wait_for([&] { return w.take_snapshot(s) && s.generation == 1; }));
  EXPECT_EQ(s.input_mode, InputMode::kOn);
}

TEST(InputMode, CyclesOnOffReplayOnlyWhenReplayIsAvailable) {
  EXPECT_EQ(next_input_mode(InputMode::kOn, true), InputMode::kOff);
  EXPECT_EQ(next_input_mode(InputMode::kOff, true), InputMode::kReplay);
  EXPECT_EQ(next_input_mode(InputMode::kReplay, true), InputMode::kOn);
  EXPECT_EQ(next_input_mode(InputMode::kOn, false), InputMode::kOff);
  EXPECT_EQ(next_input_mode(InputMode::kOff, false), InputMode::kOn);
  // the engine replays: the default cycle is on -> off -> replay -> on
  EXPECT_TRUE(kReplayAvailable);
  EXPECT_EQ(next_input_mode(next_input_mode(next_input_mode(InputMode::kOn))), InputMode::kOn);
  EXPECT_STREQ(input_mode_name(InputMode::kOn), "input on");
  EXPECT_STREQ(input_mode_name(InputMode::kOff), "input off");
  EXPECT_STREQ(input_mode_name(InputMode::kReplay), "replay from memory");
}

// The documented paces (README, GUI): about a minute from chaos to order.
TEST(Pace, EachModelStartsAtItsDocumentedPace) {
  EXPECT_EQ(default_pace(load_preset("01_01")), 30);
  EXPECT_EQ(default_pace(load_preset("01_02")), 30);
  EXPECT_EQ(default_pace(load_preset("cube-4")), 15);
  EXPECT_EQ(default_pace(load_preset("groups-thin")), 15);
  EXPECT_EQ(default_pace(load_preset("cube-48")), 30);
  EXPECT_EQ(default_pace(load_preset("groups-4")), 30);
  // every default is in the speed menu, which still offers max speed first
  for (const char* p : {"01_01", "cube-4", "cube-48"}) {
    const double pace = default_pace(load_preset(p));
    EXPECT_TRUE(std::any_of(speed_menu().begin(), speed_menu().end(), [&](const Pace& m) {
      return m.steps_per_s == pace;
    })) << p;
  }
  EXPECT_EQ(speed_menu().front().steps_per_s, 0);
}

TEST(SimWorker, BadParameterBecomesAMessageAndChangesNothing) {
  SimWorker w(small_layer());
  w.set_param("stdp.a_plus", -1.0);
  w.set_param("no.such_key", 1.0);
  double a_plus = 0;
  ASSERT_TRUE(w.call([&](Simulation& sim) { a_plus = sim.config().a_plus; }));
  EXPECT_DOUBLE_EQ(a_plus, small_layer().a_plus);
  const auto msgs = w.take_messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].kind, WorkerMessage::Kind::kError);
  EXPECT_NE(msgs[0].text.find("stdp.a_plus"), std::string::npos);
  EXPECT_NE(msgs[1].text.find("no.such_key"), std::string::npos);
}

TEST(SimWorker, ResetAndNewSeedStartAGeneration) {
  SimWorker w(small_layer());
  w.request_steps(10);
  ASSERT_TRUE(wait_for([&] { return w.step_count() == 10; }));
  w.reset(true);
  Snapshot s;
  ASSERT_TRUE(wait_for([&] { return w.take_snapshot(s) && s.generation == 1; }));
  EXPECT_EQ(s.step, 0);
  EXPECT_EQ(s.config->seed, small_layer().seed + 1);
}

TEST(SimWorker, DivergencePausesTheRunWithAMessage) {
  SimWorker w(small_layer());
  w.set_param("neuron.bias", 10.0);  // every neuron fires every step: runaway
  w.set_running(true);
  ASSERT_TRUE(wait_for([&] { return !w.running(); }, 60s));
  const auto msgs = w.take_messages();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.back().kind, WorkerMessage::Kind::kDiverged);
  EXPECT_NE(msgs.back().text.find("paused at step"), std::string::npos);
  const auto at = w.step_count();
  ASSERT_TRUE(w.call([](Simulation&) {}));  // the loop came round again without stepping
  ASSERT_TRUE(w.call([](Simulation&) {}));
  EXPECT_EQ(w.step_count(), at);
}

TEST(SimWorker, PacedRunNeverOutrunsTheChosenSpeed) {
  // Only a lower bound on time is safe on a shared machine (a stalled
  // machine is slower, never faster): at 50 steps/s, 11 steps cannot take
  // less than the 10 intervals between them, 200 ms (190 ms allowed for the
  // clock's grain). A free run does them in well under a millisecond.
  SimWorker w(small_layer());
  w.set_speed(50);
  ASSERT_EQ(w.speed(), 50.0);
  const auto t0 = std::chrono::steady_clock::now();
  w.set_running(true);
  ASSERT_TRUE(wait_for([&] { return w.step_count() >= 11; }));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  w.set_running(false);
  EXPECT_GE(elapsed, 190ms);
}

}  // namespace
}  // namespace spikecube::ui
