// The learning clock counts only windows in which the input was on for all
// 100 steps (hand-computed step numbers in each case).
#include <gtest/gtest.h>

#include "core/metrics.hpp"

namespace spikecube {
namespace {

TEST(LearningClock, SilentOffWindowsNeverCountAsLearnt) {
  // The groups-4 case: never above 0.8 with the input on, then an off window
  // whose steps score 1 (nothing to predict, nothing predicted). The window
  // mean right after the input returns is high only because of those steps.
  LearningClock c;
  for (int t = 1; t <= 3000; ++t) c.on_step(t, true, 0.3);
  for (int t = 3001; t <= 4000; ++t) c.on_step(t, false, 1.0);
  // steps 4001..4050: the window still holds mostly off steps and scores > 0.8
  for (int t = 4001; t <= 4050; ++t) c.on_step(t, true, 0.9);
  EXPECT_EQ(c.first(0.8), -1) << "a window holding input-off steps must not count";
  EXPECT_EQ(c.resume(0.8), -1);
  // from t = 4100 the window 4001..4100 is all input-on
  for (int t = 4051; t <= 4100; ++t) c.on_step(t, true, 0.9);
  EXPECT_EQ(c.first(0.8), 4100);
  EXPECT_EQ(c.resume(0.8), 100);
}

TEST(LearningClock, OffAtTheStartDelaysFirst) {
  LearningClock c;
  for (int t = 1; t <= 50; ++t) c.on_step(t, false, 1.0);
  for (int t = 51; t <= 200; ++t) c.on_step(t, true, 0.95);
  // back on at 51: the first all-on window is 51..150
  EXPECT_EQ(c.first(0.5), 150);
  EXPECT_EQ(c.first(0.8), 150);
  EXPECT_EQ(c.resume(0.8), 100);
}

TEST(LearningClock, LearntBeforeAnOffWindowKeepsItsFirst) {
  LearningClock c;
  for (int t = 1; t <= 300; ++t) c.on_step(t, true, t >= 250 ? 0.9 : 0.1);
  EXPECT_EQ(c.first(0.8), 250);
  for (int t = 301; t <= 400; ++t) c.on_step(t, false, 1.0);
  for (int t = 401; t <= 520; ++t) c.on_step(t, true, 0.9);
  EXPECT_EQ(c.first(0.8), 250);
  EXPECT_EQ(c.resume(0.8), 100);  // window 401..500
}

}  // namespace
}  // namespace spikecube
