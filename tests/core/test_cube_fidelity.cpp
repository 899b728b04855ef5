// Learning of the cube-4 preset (docs/cube.md, "Presets"): the real model, seeds 0-2.
// It must hold the README's figures (learning times, iou100 over the run)
// and relearn at least three times faster after the input gap 3001-4000.
#include <gtest/gtest.h>

#include "core/simulation.hpp"
#include "tests/core/lattice_fixtures.hpp"
#include "tests/core/readme_tables.hpp"

namespace spikecube {
namespace {

class CubeLearning : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(CubeLearning, HoldsTheReadmeFigures) {
  // the README's cube-4 figures, seed by seed (6,000 steps, input off 3001-4000)
  test::expect_readme_learning_figures("cube-4", static_cast<int>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Seeds, CubeLearning, ::testing::Values(0u, 1u, 2u));

}  // namespace
}  // namespace spikecube
