// The layer presets against the original experiment's measured behaviour
// (README, "The layer model against the original"): chaos, then learning near step 1,850,
// and relearning after the input gap several times faster. Runs the real
// model for seeds 0-4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/simulation.hpp"
#include "tests/core/readme_tables.hpp"

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

// The README's table for 01_02 (section "The layer model against the
// original"), read from the README itself: first_iou50/80 within 2%,
// resume_iou50/80 within 10% (at least 10 steps), iou100 at 3000 within
// 0.005, and relearning more than six times faster, as the text says.
// Seeds 0-2 also hold the 250-step curve of the same section: iou100 within
// 0.02 of the stated range, fire within 0.003 and out_px within 0.2 of it
// (fire and out_px are the means over the last 100 steps).
TEST_P(LayerFidelity, Preset01_02MatchesTheReadmeTableAndRelearnsSixTimesFaster) {
  const int seed = GetParam();
  Config c = load_preset("01_02");
  c.seed = static_cast<std::uint64_t>(seed);
  Simulation sim(c);
  const std::string section = "The layer model against the original";
  std::vector<double> fire_ring(100, 0.0), out_ring(100, 0.0);
  double iou100_at_3000 = -1;
  int curve_rows = 0;
  for (int t = 1; t <= 6000; ++t) {
    sim.step();
    const auto& m = sim.last();
    fire_ring[static_cast<std::size_t>(t % 100)] = m.fire;
    out_ring[static_cast<std::size_t>(t % 100)] = m.out_px;
    if (t == 3000) iou100_at_3000 = m.iou100;
    if (seed > 2 || t % 250 != 0) continue;
    // the curve's row for step t: its own, or a "2250-3000" span holding it
    std::vector<std::string> row = test::readme_row(section, std::to_string(t));
    if (row.empty()) row = test::readme_row(section, std::to_string(t) + " (input off)");
    if (row.empty()) row = test::readme_row(section, std::to_string(t) + " (input back)");
    for (const char* span : {"2250-3000", "4750-6000"}) {
      const auto [lo, hi] = test::range(span);
      if (row.empty() && t >= lo && t <= hi) row = test::readme_row(section, span);
    }
    ASSERT_GE(row.size(), 4u) << "no README curve row for step " << t;
    ++curve_rows;
    double fire = 0, out = 0;
    for (int i = 0; i < 100; ++i) {
      fire += fire_ring[static_cast<std::size_t>(i)] / 100;
      out += out_ring[static_cast<std::size_t>(i)] / 100;
    }
    const auto [ilo, ihi] = test::range(row[1]);
    EXPECT_GE(m.iou100, ilo - 0.02) << "step " << t;
    EXPECT_LE(m.iou100, ihi + 0.02) << "step " << t;
    const auto [flo, fhi] = test::range(row[2]);
    EXPECT_GE(fire, flo - 0.003) << "step " << t;
    EXPECT_LE(fire, fhi + 0.003) << "step " << t;
    const auto [olo, ohi] = test::range(row[3]);
    EXPECT_GE(out, olo - 0.2) << "step " << t;
    EXPECT_LE(out, ohi + 0.2) << "step " << t;
  }
  if (seed <= 2) {
    EXPECT_EQ(curve_rows, 24) << "every 250th step has a README row";
  }

  const RunSummary s = sim.summary();
  std::printf("seed %d: first_iou50=%lld first_iou80=%lld resume_iou50=%lld resume_iou80=%lld\n", seed,
              static_cast<long long>(s.first_iou50), static_cast<long long>(s.first_iou80),
              static_cast<long long>(s.resume_iou50), static_cast<long long>(s.resume_iou80));
  const auto row = test::readme_row(section, std::to_string(seed));
  ASSERT_GE(row.size(), 7u) << "README table row for seed " << seed;
  const auto near = [](double got, double stated, double rel, double abs_min) {
    return std::abs(got - stated) <= std::max(rel * stated, abs_min);
  };
  EXPECT_PRED4(near, s.first_iou50, std::stod(row[1]), 0.02, 0.0);
  EXPECT_PRED4(near, s.first_iou80, std::stod(row[2]), 0.02, 0.0);
  EXPECT_NEAR(iou100_at_3000, std::stod(row[3]), 0.005);
  ASSERT_TRUE(s.resumed);
  EXPECT_PRED4(near, s.resume_iou50, std::stod(row[5]), 0.10, 10.0);
  EXPECT_PRED4(near, s.resume_iou80, std::stod(row[6]), 0.10, 10.0);
  // "relearnt ... more than six times faster than the first time"
  EXPECT_LT(s.resume_iou80 * 6, s.first_iou80);
  EXPECT_GE(s.iou100_final, 0.95);
}

INSTANTIATE_TEST_SUITE_P(Seeds, LayerFidelity, testing::Values(0, 1, 2, 3, 4));
