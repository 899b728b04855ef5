// Replay from memory: the network's input is its own last prediction, the
// stimulus keeps moving unseen, the readout does not learn, and the replay
// figures of the summary follow their definition (hand-computed cases).
#include <gtest/gtest.h>

#include "core/simulation.hpp"

namespace spikecube {
namespace {

Config small(const std::string& preset) {
  Config c = load_preset(preset);
  c.input_off.clear();
  return c;
}

TEST(ReplayClock, HandComputedFigures) {
  ReplayClock c;
  EXPECT_EQ(c.iou100(), -1.0);
  EXPECT_EQ(c.steps_80(), -1);
  // 12 steps: 1 x 5, then 0.5 x 7. The mean of the last min(k, 10) steps:
  // k = 6: 5.5/6 = 0.917, k = 7: 6/7 = 0.857, k = 8: 6.5/8 = 0.8125,
  // k = 9: 7/9 = 0.778 < 0.8, so 8 steps stay at 0.8 or more.
  for (int k = 0; k < 5; ++k) c.on_step(true, 1.0);
  for (int k = 0; k < 7; ++k) c.on_step(true, 0.5);
  EXPECT_EQ(c.steps_80(), 8);
  EXPECT_DOUBLE_EQ(c.iou100(), (5 * 1.0 + 7 * 0.5) / 12);
  // recovering later does not extend the unbroken stretch
  for (int k = 0; k < 20; ++k) c.on_step(true, 1.0);
  EXPECT_EQ(c.steps_80(), 8);
  // only the first 100 steps count for iou100
  for (int k = 0; k < 200; ++k) c.on_step(true, 0.0);
  EXPECT_DOUBLE_EQ(c.iou100(), (5 * 1.0 + 7 * 0.5 + 20 * 1.0) / 100);
  // a step with the input on or off ends the window; the next replay starts afresh
  c.on_step(false, 0.0);
  c.on_step(true, 0.7);
  EXPECT_EQ(c.steps_80(), 0);
  EXPECT_DOUBLE_EQ(c.iou100(), 0.7);
}

TEST(Replay, ScheduleGivesEachStepOneMode) {
  InputSchedule s({{10, 20}}, {{30, 40}});
  EXPECT_EQ(s.scheduled_mode(9), InputMode::kOn);
  EXPECT_EQ(s.scheduled_mode(10), InputMode::kOff);
  EXPECT_EQ(s.scheduled_mode(30), InputMode::kReplay);
  EXPECT_EQ(s.scheduled_mode(40), InputMode::kReplay);
  EXPECT_EQ(s.scheduled_mode(41), InputMode::kOn);
  Config c = small("01_01");
  c.input_off = {{10, 20}};
  c.replay = {{20, 25}};
  try {
    validate(c);
    FAIL() << "overlapping off and replay intervals must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("schedule.replay: [20, 25] overlaps schedule.input_off [10, 20]"),
              std::string::npos)
        << e.what();
  }
}

// Runs both models through a replay window and checks, step by step, that
// the input is the last prediction and the target is where the dot really is.
class ReplayModels : public testing::TestWithParam<const char*> {};

TEST_P(ReplayModels, InputIsTheLastPredictionAndTheDotMovesOnUnseen) {
  Config c = small(GetParam());
  c.replay = {{301, 340}};
  Config plain = small(GetParam());
  Simulation sim(c), ref(plain);
  for (int t = 1; t <= 340; ++t) {
    const Frame last_prediction = sim.output_frame();
    sim.step();
    ref.step();
    // the stimulus is the same with or without replay: it keeps moving
    ASSERT_EQ(sim.target_frame(), ref.target_frame()) << "step " << t;
    if (t >= 301) {
      ASSERT_EQ(sim.input_frame(), last_prediction) << "step " << t;
      EXPECT_TRUE(sim.last().replay);
      EXPECT_FALSE(sim.last().input_on);
      EXPECT_DOUBLE_EQ(sim.last().iou, frame_iou(sim.output_frame(), ref.target_frame()));
    } else {
      ASSERT_EQ(sim.input_frame(), ref.input_frame()) << "step " << t;
      EXPECT_FALSE(sim.last().replay);
    }
  }
  const RunSummary s = sim.summary();
  EXPECT_GE(s.replay_iou100, 0.0);
  EXPECT_LE(s.replay_iou100, 1.0);
  EXPECT_GE(s.replay_steps_80, 0);
  EXPECT_LE(s.replay_steps_80, 40);
  EXPECT_EQ(ref.summary().replay_iou100, -1.0) << "no replay: not measured";
}

TEST_P(ReplayModels, ReadoutDoesNotLearnWhileReplaying) {
  Config c = small(GetParam());
  c.replay = {{201, 260}};
  Simulation sim(c);
  const std::string w = std::string(sim.model().kind() == "layer" ? "layer." : "cube.") + "w_out";
  for (int t = 0; t < 200; ++t) sim.step();
  StateArchive before;
  sim.save(before);
  for (int t = 0; t < 60; ++t) sim.step();
  StateArchive during;
  sim.save(during);
  EXPECT_EQ(before.f32.at(w), during.f32.at(w)) << "the readout learnt during replay";
  for (int t = 0; t < 100; ++t) sim.step();  // back on: learning resumes
  StateArchive after;
  sim.save(after);
  EXPECT_NE(during.f32.at(w), after.f32.at(w));
}

TEST_P(ReplayModels, CheckpointMidReplayResumesBitForBit) {
  Config c = small(GetParam());
  c.replay = {{151, 230}};
  Simulation whole(c), first(c);
  for (int t = 0; t < 260; ++t) whole.step();
  for (int t = 0; t < 190; ++t) first.step();
  StateArchive a;
  first.save(a);
  Simulation resumed(c);
  resumed.load(a);
  for (int t = 0; t < 70; ++t) resumed.step();
  EXPECT_EQ(resumed.model().state_hash(), whole.model().state_hash());
  EXPECT_EQ(resumed.summary().replay_iou100, whole.summary().replay_iou100);
  EXPECT_EQ(resumed.summary().replay_steps_80, whole.summary().replay_steps_80);
  EXPECT_EQ(resumed.summary().resume_iou80, whole.summary().resume_iou80);
}

TEST_P(ReplayModels, ManualReplayEqualsScheduledReplay) {
  Config c = small(GetParam());
  c.replay = {{101, 150}};
  Simulation scheduled(c), manual(small(GetParam()));
  for (int t = 1; t <= 170; ++t) {
    if (t == 101) manual.set_input_mode(InputMode::kReplay);
    if (t == 151) manual.set_input_mode(InputMode::kOn);
    scheduled.step();
    manual.step();
  }
  EXPECT_EQ(manual.model().state_hash(), scheduled.model().state_hash());
  EXPECT_EQ(manual.summary().replay_steps_80, scheduled.summary().replay_steps_80);
}

std::string model_name(const testing::TestParamInfo<const char*>& p) {
  const std::string preset = p.param;
  return preset == "01_01" ? "layer" : preset == "cube-4" ? "cube" : "groups";
}
INSTANTIATE_TEST_SUITE_P(Models, ReplayModels, testing::Values("01_01", "cube-4", "groups-thin"), model_name);

TEST(Replay, ThreadCountDoesNotMatter) {
  Config c = small("cube-4");
  c.replay = {{101, 160}};
  Config c2 = c;
  c2.threads = 2;
  Simulation one(c), two(c2);
  for (int t = 0; t < 180; ++t) {
    one.step();
    two.step();
  }
  EXPECT_EQ(one.model().state_hash(), two.model().state_hash());
}

TEST(Replay, CheckpointsWithoutAReplayClockStillLoad) {
  Simulation sim(small("cube-4"));
  for (int t = 0; t < 20; ++t) sim.step();
  StateArchive a;
  sim.save(a);
  a.i64.erase("sim.replay_clock");
  a.i64.erase("sim.input_mode");
  a.f64.erase("sim.replay_values");
  a.i64["sim.input_enabled"] = {0};
  Simulation back(small("cube-4"));
  back.load(a);
  EXPECT_EQ(back.input_mode(), InputMode::kOff);
  EXPECT_EQ(back.summary().replay_steps_80, -1);
}

}  // namespace
}  // namespace spikecube
