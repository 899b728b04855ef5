// Learning of the cube-4 preset (docs/cube.md, "Presets"): the real model, seeds 0-2.
// It must reach iou100 >= 0.8 within 3,000 steps, and after the input is off
// over 3001-4000, relearn at least three times faster.
#include <gtest/gtest.h>

#include "core/simulation.hpp"
#include "tests/core/lattice_fixtures.hpp"

namespace spikecube {
namespace {

class CubeLearning : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(CubeLearning, LearnsAndRelearnsFaster) {
  Config c = load_preset("cube-4");
  c.seed = GetParam();
  test::expect_learns_and_relearns(c);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CubeLearning, ::testing::Values(0u, 1u, 2u));

}  // namespace
}  // namespace spikecube
