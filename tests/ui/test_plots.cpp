// The plots' step axis and window: round tick values with short labels for a
// few ranges (the tick function directly), and the "last N steps" window of
// the plots panel fed with a long synthetic history. Needs no display: Qt
// runs on its offscreen platform here.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLineSeries>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ui/axis_ticks.hpp"
#include "ui/plots_panel.hpp"

namespace spikecube::ui {
namespace {

std::vector<double> values(const std::vector<AxisTick>& ticks) {
  std::vector<double> v;
  for (const auto& t : ticks) v.push_back(t.value);
  return v;
}

std::vector<std::string> labels(const std::vector<AxisTick>& ticks) {
  std::vector<std::string> v;
  for (const auto& t : ticks) v.push_back(t.label);
  return v;
}

// Every tick a whole multiple of one spacing of the form {1, 2, 2.5, 5} x 10^k.
void expect_round(const std::vector<AxisTick>& ticks) {
  ASSERT_GE(ticks.size(), 2u);
  const double spacing = ticks[1].value - ticks[0].value;
  const double decade = std::pow(10.0, std::floor(std::log10(spacing)));
  const double m = spacing / decade;
  EXPECT_TRUE(m == 1 || m == 2 || m == 2.5 || m == 5) << "spacing " << spacing;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_DOUBLE_EQ(std::fmod(ticks[i].value, spacing), 0.0) << ticks[i].value;
    if (i > 0) {
      EXPECT_DOUBLE_EQ(ticks[i].value - ticks[i - 1].value, spacing);
    }
  }
}

TEST(AxisTicks, SixtyThousandStepsGetTensOfThousands) {
  const auto five = round_ticks(0, 60000, 5);
  expect_round(five);
  EXPECT_EQ(values(five), (std::vector<double>{0, 20000, 40000, 60000}));
  EXPECT_EQ(labels(five), (std::vector<std::string>{"0", "20k", "40k", "60k"}));
  const auto seven = round_ticks(0, 60000, 7);
  EXPECT_EQ(labels(seven), (std::vector<std::string>{"0", "10k", "20k", "30k", "40k", "50k", "60k"}));
}

TEST(AxisTicks, QuarterStepsWhereTheyFitBest) {
  // 100k over at most 5 ticks: 25k apart (20k would need 6)
  EXPECT_EQ(labels(round_ticks(0, 100000, 5)), (std::vector<std::string>{"0", "25k", "50k", "75k", "100k"}));
  EXPECT_EQ(labels(round_ticks(0, 10000, 5)), (std::vector<std::string>{"0", "2.5k", "5k", "7.5k", "10k"}));
}

TEST(AxisTicks, ShortRunsAndSlidingWindows) {
  EXPECT_EQ(labels(round_ticks(0, 100, 5)), (std::vector<std::string>{"0", "25", "50", "75", "100"}));
  // a last-1k window ending at step 61,437: the ticks inside it only
  const auto w = round_ticks(60437, 61437, 5);
  expect_round(w);
  EXPECT_EQ(labels(w), (std::vector<std::string>{"60.5k", "60.75k", "61k", "61.25k"}));
  for (const auto& t : w) {
    EXPECT_GE(t.value, 60437);
    EXPECT_LE(t.value, 61437);
  }
  // steps are whole: never a spacing below 1
  EXPECT_EQ(values(round_ticks(0, 3, 8)), (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(labels(round_ticks(0, 3e6, 4)), (std::vector<std::string>{"0", "1M", "2M", "3M"}));
}

TEST(AxisTicks, NeverMoreThanAsked) {
  for (double hi : {7.0, 99.0, 1234.0, 27500.0, 55000.0, 61437.0, 999999.0}) {
    for (int max_ticks : {2, 3, 4, 5, 8}) {
      const auto t = round_ticks(0, hi, max_ticks);
      EXPECT_LE(static_cast<int>(t.size()), max_ticks) << hi << " " << max_ticks;
      EXPECT_GE(t.size(), 1u);
      for (const auto& tick : t) EXPECT_LE(tick.label.size(), 6u) << tick.label;
    }
  }
}

QApplication& app() {
  static std::unique_ptr<QApplication> a = [] {
    setenv("QT_QPA_PLATFORM", "offscreen", 1);
    static int argc = 1;
    static char name[] = "test_plots";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
  }();
  return *a;
}

// steps first..last, in snapshots of 100 steps like the worker's
void feed(PlotsPanel& p, std::int64_t first, std::int64_t last) {
  Snapshot s;
  s.running = false;
  for (std::int64_t step = first; step <= last; ++step) {
    s.history.push_back({step, static_cast<float>(step % 1000) / 1000.0f, 0.01f});
    if (s.history.size() == 100 || step == last) {
      s.step = step;
      p.add(s);
      s.history.clear();
    }
  }
}

TEST(PlotsPanel, LastNStepsShowsOnlyThoseSteps) {
  app();
  PlotsPanel p;
  p.resize(300, 500);
  feed(p, 1, 25000);
  // the whole run: from step 0 to the last, thinned to a bounded number of points
  EXPECT_EQ(p.step_range(), std::make_pair(0.0, 25000.0));
  ASSERT_GT(p.iou_series()->count(), 100);
  EXPECT_LE(p.iou_series()->count(), 1001);
  EXPECT_LT(p.iou_series()->at(0).x(), 100);

  for (const std::int64_t n : {std::int64_t{1000}, PlotsPanel::kMaxWindow}) {
    p.set_window(n);
    EXPECT_EQ(p.step_range(), std::make_pair(25000.0 - static_cast<double>(n), 25000.0)) << n;
    const QLineSeries* s = p.iou_series();
    ASSERT_GT(s->count(), 0);
    for (int i = 0; i < s->count(); ++i) ASSERT_GT(s->at(i).x(), 25000.0 - static_cast<double>(n)) << n;
    EXPECT_EQ(s->at(s->count() - 1).x(), 25000.0);
    EXPECT_EQ(p.fire_series()->count(), s->count());
  }
  // 1k steps are drawn one point per step
  p.set_window(1000);
  EXPECT_EQ(p.iou_series()->count(), 1000);

  // more steps arrive: the window slides with the run
  feed(p, 25001, 25500);
  EXPECT_EQ(p.step_range(), std::make_pair(24500.0, 25500.0));
  EXPECT_GT(p.iou_series()->at(0).x(), 24500.0);
  // and the whole run is back on request
  p.set_window(0);
  EXPECT_EQ(p.step_range(), std::make_pair(0.0, 25500.0));
}

TEST(PlotsPanel, WindowLongerThanTheRunStartsAtZero) {
  app();
  PlotsPanel p;
  feed(p, 1, 300);
  p.set_window(1000);
  EXPECT_EQ(p.step_range(), std::make_pair(0.0, 1000.0));
  EXPECT_EQ(p.iou_series()->count(), 300);
}

}  // namespace
}  // namespace spikecube::ui
