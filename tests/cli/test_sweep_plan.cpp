// The pure rules of `spikecube-cli sweep`: grid and seed parsing, the order of
// runs, results.csv round trips and the summary statistics of table.md.
#include <cmath>

#include <gtest/gtest.h>

#include "app/cli/sweep_plan.hpp"

namespace spikecube::cli {
namespace {

TEST(SweepPlan, ParsesGridAxes) {
  const auto a = parse_grid_axis("model.depth=4,8,16");
  EXPECT_EQ(a.key, "model.depth");
  EXPECT_EQ(a.values, (std::vector<std::string>{"4", "8", "16"}));
  EXPECT_THROW(parse_grid_axis("model.depth"), ConfigError);
  EXPECT_THROW(parse_grid_axis("model.depth="), ConfigError);
  EXPECT_THROW(parse_grid_axis("model.depht=4"), ConfigError);     // unknown key
  EXPECT_THROW(parse_grid_axis("model.depth=4,,8"), ConfigError);  // empty value
  EXPECT_THROW(parse_grid_axis("model.depth=4,4"), ConfigError);   // repeated value
}

TEST(SweepPlan, ParsesSeedLists) {
  EXPECT_EQ(parse_seed_list("0-4"), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(parse_seed_list("7"), (std::vector<std::uint64_t>{7}));
  EXPECT_EQ(parse_seed_list("0-2,9"), (std::vector<std::uint64_t>{0, 1, 2, 9}));
  EXPECT_THROW(parse_seed_list("4-2"), ConfigError);
  EXPECT_THROW(parse_seed_list("-1"), ConfigError);
  EXPECT_THROW(parse_seed_list("1,1"), ConfigError);
  EXPECT_THROW(parse_seed_list("a"), ConfigError);
}

TEST(SweepPlan, FirstAxisSlowestSeedsFastest) {
  const std::vector<GridAxis> axes = {{"model.depth", {"4", "8"}}, {"stdp.w_max", {"0.1", "0.18"}}};
  const auto runs = expand_sweep(axes, {0, 1});
  ASSERT_EQ(runs.size(), 8u);
  EXPECT_EQ(runs[0].label(axes), "model.depth=4 stdp.w_max=0.1 seed=0");
  EXPECT_EQ(runs[1].label(axes), "model.depth=4 stdp.w_max=0.1 seed=1");
  EXPECT_EQ(runs[2].label(axes), "model.depth=4 stdp.w_max=0.18 seed=0");
  EXPECT_EQ(runs[7].label(axes), "model.depth=8 stdp.w_max=0.18 seed=1");
  EXPECT_EQ(runs[7].folder(axes), "model.depth=8_stdp.w_max=0.18_seed=1");
  EXPECT_EQ(expand_sweep({}, {3, 4}).size(), 2u) << "no grid: one combination, every seed";
}

TEST(SweepPlan, RunConfigAppliesGridValuesAndRangeChecks) {
  const Config base = load_preset("cube-4");
  const std::vector<GridAxis> axes = {{"model.depth", {"8", "0"}}};
  const auto runs = expand_sweep(axes, {5});
  const Config c = config_for_run(base, axes, runs[0]);
  EXPECT_EQ(c.depth, 8);
  EXPECT_EQ(c.seed, 5u);
  try {
    (void)config_for_run(base, axes, runs[1]);
    FAIL() << "depth 0 must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.depth"), std::string::npos) << e.what();
  }
}

TEST(SweepPlan, ResultsCsvRoundTripsAndFindsRuns) {
  const std::vector<GridAxis> axes = {{"stdp.w_max", {"0.1"}}};
  ResultTable t;
  t.add({{"stdp.w_max", "0.1"}, {"seed", "3"}, {"note", "a,\"b\""}}, {"stdp.w_max", "seed", "note"});
  const ResultTable back = ResultTable::from_csv(t.to_csv());
  ASSERT_EQ(back.rows.size(), 1u);
  EXPECT_EQ(back.columns, t.columns);
  EXPECT_EQ(back.rows[0].at("note"), "a,\"b\"");
  SweepRun r{{"0.1"}, 3};
  EXPECT_NE(back.find(axes, r), nullptr);
  r.seed = 4;
  EXPECT_EQ(back.find(axes, r), nullptr);
  EXPECT_THROW(ResultTable::from_csv("a,b\n1,2,3\n"), ConfigError);
}

TEST(SweepPlan, ReadsSummaryJsonInOrder) {
  const auto kv = read_flat_json(
      "{\n  \"model\": \"cube\",\n  \"steps\": 200,\n  \"iou100_final\": 0.5,\n  \"state_hash\": \"00ff\"\n}\n");
  ASSERT_EQ(kv.size(), 4u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"model", "cube"}));
  EXPECT_EQ(kv[2], (std::pair<std::string, std::string>{"iou100_final", "0.5"}));
  EXPECT_EQ(kv[3].second, "00ff");
}

TEST(SweepPlan, SpreadTreatsNeverAsAboveEveryStep) {
  const Spread a = spread_of({900, -1, 1200}, true);
  EXPECT_EQ(a.count, 3);
  EXPECT_EQ(a.median, 1200);
  EXPECT_EQ(a.min, 900);
  EXPECT_TRUE(std::isinf(a.max));
  const Spread b = spread_of({0.9, 0.5, 0.7, 0.8}, false);
  EXPECT_DOUBLE_EQ(b.median, 0.7);  // lower median of an even count
  EXPECT_DOUBLE_EQ(b.min, 0.5);
  EXPECT_DOUBLE_EQ(b.max, 0.9);
}

TEST(SweepPlan, TableHasOneRowPerCombinationWithItsSpread) {
  const std::vector<GridAxis> axes = {{"stdp.w_max", {"0.1", "0.2"}}};
  ResultTable t;
  const std::vector<std::string> order = {"stdp.w_max",  "seed",         "status",       "input_returns",
                                          "first_iou80", "resume_iou80", "iou100_final", "fire_final"};
  t.add({{"stdp.w_max", "0.1"},
         {"seed", "0"},
         {"status", "ok"},
         {"input_returns", "yes"},
         {"first_iou80", "900"},
         {"resume_iou80", "150"},
         {"iou100_final", "0.9"},
         {"fire_final", "0.01"}},
        order);
  t.add({{"stdp.w_max", "0.1"},
         {"seed", "1"},
         {"status", "ok"},
         {"input_returns", "yes"},
         {"first_iou80", "-1"},
         {"resume_iou80", "100"},
         {"iou100_final", "0.7"},
         {"fire_final", "0.02"}},
        order);
  t.add({{"stdp.w_max", "0.2"},
         {"seed", "0"},
         {"status", "ok"},
         {"input_returns", "no"},
         {"first_iou80", "800"},
         {"resume_iou80", "-1"},
         {"iou100_final", "1"},
         {"fire_final", "0.03"}},
        order);
  t.add({{"stdp.w_max", "0.2"}, {"seed", "1"}, {"status", "fault"}}, order);
  const std::string md = summary_table(axes, t);
  EXPECT_NE(md.find("| 0.1 | 2 | 900 [900, never] | 100 [100, 150] | 0.7 [0.7, 0.9] | 0.01 [0.01, 0.02] |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 0.2 | 1 | 800 [800, 800] | - | 1 [1, 1] | 0.03 [0.03, 0.03] |"), std::string::npos) << md;
}

}  // namespace
}  // namespace spikecube::cli
