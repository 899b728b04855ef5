// The layer presets against the original experiment's measured behaviour
// (README, "The layer model against the original"): chaos, then learning near step 1,850,
// and relearning after the input gap several times faster. Runs the real
// model for seeds 0-4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "core/simulation.hpp"

using namespace spikecube;

class LayerFidelity : public testing::TestWithParam<int> {};

TEST_P(LayerFidelity, Preset01_01LearnsLikeTheOriginal) {
  Config c = load_preset("01_01");
  c.seed = static_cast<std::uint64_t>(GetParam());
  Simulation sim(c);
  int max_out_before_learning = 0;
  double fire_window = 0;
  for (int t = 1; t <= 3000; ++t) {
    sim.step();
    const auto& m = sim.last();
    if (sim.summary().first_iou50 < 0) max_out_before_learning = std::max(max_out_before_learning, m.out_px);
    if (t > 2500) {
      fire_window += m.fire;
      if (t % 100 == 0) {
        const double rate = fire_window / 100;
        EXPECT_GE(rate, 0.08) << "step " << t;
        EXPECT_LE(rate, 0.13) << "step " << t;
        fire_window = 0;
      }
    }
  }
  const RunSummary s = sim.summary();
  std::printf("seed %d: first_iou50=%lld first_iou80=%lld iou100@3000=%.3f max_out_px(chaos)=%d\n", GetParam(),
              static_cast<long long>(s.first_iou50), static_cast<long long>(s.first_iou80), s.iou100_final,
              max_out_before_learning);
  EXPECT_GT(max_out_before_learning, 10) << "a chaos phase with many wrong output pixels";
  EXPECT_GE(s.first_iou80, 1000);
  EXPECT_LE(s.first_iou80, 3000);
  EXPECT_GE(s.iou100_final, 0.95);
}

TEST_P(LayerFidelity, Preset01_02RelearnsAtLeastThreeTimesFaster) {
  Config c = load_preset("01_02");
  c.seed = static_cast<std::uint64_t>(GetParam());
  Simulation sim(c);
  for (int t = 1; t <= 6000; ++t) sim.step();
  const RunSummary s = sim.summary();
  std::printf("seed %d: first_iou80=%lld resume_iou50=%lld resume_iou80=%lld\n", GetParam(),
              static_cast<long long>(s.first_iou80), static_cast<long long>(s.resume_iou50),
              static_cast<long long>(s.resume_iou80));
  ASSERT_TRUE(s.resumed);
  ASSERT_GT(s.first_iou80, 0);
  ASSERT_GT(s.resume_iou80, 0);
  EXPECT_LE(s.resume_iou80 * 3, s.first_iou80);
  EXPECT_GE(s.iou100_final, 0.95);
}

INSTANTIATE_TEST_SUITE_P(Seeds, LayerFidelity, testing::Values(0, 1, 2, 3, 4));
