// Learning of the groups-thin preset (docs/groups.md, "Presets"): cube-4 with 2 x 2 x 2
// all-to-all groups, seeds 0-2. It must reach iou100 >= 0.8 within 3,000
// steps and, after the input is off over 3001-4000, relearn at least three
// times faster. The relay through the layers runs over intra-group links
// here, so with the group gain at 1 (the 1/g^3 weight scale alone) it must
// not learn: the groups are what carries the signal.
#include <gtest/gtest.h>

#include "core/simulation.hpp"
#include "tests/core/lattice_fixtures.hpp"
#include "tests/core/readme_tables.hpp"

namespace spikecube {
namespace {

class GroupsLearning : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(GroupsLearning, HoldsTheReadmeFigures) {
  ASSERT_EQ(load_preset("groups-thin").model, "groups");
  test::expect_readme_learning_figures("groups-thin", static_cast<int>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Seeds, GroupsLearning, ::testing::Values(0u, 1u, 2u));

TEST(GroupsLearningControl, NoRelayWithoutTheGroupGain) {
  Config c = load_preset("groups-thin");
  c.group_gain = 1.0;
  Simulation sim(c);
  for (int t = 0; t < 2500; ++t) sim.step();
  EXPECT_LT(sim.summary().first_iou80, 0);  // never reached
  EXPECT_LT(sim.last().iou100, 0.2);
}

}  // namespace
}  // namespace spikecube
