// Learning of the cube-4 preset (DESIGN 2.3): the real model, seeds 0-2.
// It must reach iou100 >= 0.8 within 3,000 steps, and after the input is off
// over 3001-4000, relearn at least three times faster.
#include <gtest/gtest.h>

#include "core/simulation.hpp"

namespace spikecube {
namespace {

class CubeLearning : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(CubeLearning, LearnsAndRelearnsFaster) {
  Config c = load_preset("cube-4");
  c.seed = GetParam();
  ASSERT_EQ(c.input_off.size(), 1u);
  ASSERT_EQ(c.input_off[0].first, 3001);
  ASSERT_EQ(c.input_off[0].last, 4000);
  Simulation sim(c);
  for (int t = 0; t < 4600; ++t) sim.step();
  const RunSummary s = sim.summary();
  EXPECT_GT(s.first_iou80, 0);
  EXPECT_LE(s.first_iou80, 3000);
  ASSERT_TRUE(s.resumed);
  EXPECT_GT(s.resume_iou80, 0);
  EXPECT_LE(s.resume_iou80 * 3, s.first_iou80) << "first " << s.first_iou80 << " resume " << s.resume_iou80;
  EXPECT_EQ(sim.health(), Health::kOk);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CubeLearning, ::testing::Values(0u, 1u, 2u));

}  // namespace
}  // namespace spikecube
