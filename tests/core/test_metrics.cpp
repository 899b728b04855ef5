// IoU, the 100-step window, and first/resume learning times.
#include <gtest/gtest.h>

#include "core/metrics.hpp"

using namespace spikecube;

TEST(Metrics, FrameIou) {
  EXPECT_DOUBLE_EQ(frame_iou({0, 0, 0}, {0, 0, 0}), 1.0) << "both empty is a perfect step";
  EXPECT_DOUBLE_EQ(frame_iou({1, 0, 0}, {0, 0, 0}), 0.0);
  EXPECT_DOUBLE_EQ(frame_iou({1, 1, 0}, {1, 0, 0}), 0.5);
  EXPECT_DOUBLE_EQ(frame_iou({1, 1, 0}, {0, 1, 1}), 1.0 / 3);
}

TEST(Metrics, WindowAveragesTheLast100Steps) {
  IouWindow w;
  w.push(1.0);
  EXPECT_DOUBLE_EQ(w.mean(), 1.0);
  w.push(0.0);
  EXPECT_DOUBLE_EQ(w.mean(), 0.5);
  for (int i = 0; i < 100; ++i) w.push(0.25);
  EXPECT_DOUBLE_EQ(w.mean(), 0.25);
  EXPECT_EQ(w.size(), 100);
  // a restored window must go on exactly like the original: after 150 more
  // pushes of a ramp, both hold the last 100 values of the ramp, whose mean
  // is known by hand (values 50..149 of i / 200: mean 99.5 / 200)
  w.push(0.75);  // the ring's write position is no longer at slot 0
  IouWindow copy;
  copy.restore(w.values(), w.total());
  EXPECT_DOUBLE_EQ(copy.mean(), w.mean());
  EXPECT_EQ(copy.total(), w.total());
  for (int i = 0; i < 150; ++i) {
    w.push(i / 200.0);
    copy.push(i / 200.0);
    ASSERT_DOUBLE_EQ(copy.mean(), w.mean()) << "push " << i;
    ASSERT_EQ(copy.values(), w.values()) << "push " << i;
  }
  EXPECT_NEAR(copy.mean(), 99.5 / 200.0, 1e-12);
  EXPECT_EQ(copy.total(), 2 + 100 + 1 + 150);
  // a partly filled window restores too: mean of what was pushed
  IouWindow part;
  part.push(0.2);
  part.push(0.4);
  IouWindow part_copy;
  part_copy.restore(part.values(), part.total());
  part_copy.push(0.9);
  EXPECT_NEAR(part_copy.mean(), 0.5, 1e-12);
  EXPECT_EQ(part_copy.size(), 3);
}

TEST(Metrics, FirstCountsOnlyWindowsAfterTheStart) {
  LearningClock c;
  for (int t = 1; t <= 150; ++t) c.on_step(t, true, 0.9);
  EXPECT_EQ(c.first(0.8), 100);
  EXPECT_EQ(c.first(0.5), 100);
  EXPECT_FALSE(c.resumed());
}

TEST(Metrics, ResumeCountsFromTheLastOffStep) {
  LearningClock c;
  for (int t = 1; t <= 150; ++t) c.on_step(t, true, t >= 120 ? 0.85 : 0.1);
  EXPECT_EQ(c.first(0.8), 120);
  for (int t = 151; t <= 160; ++t) c.on_step(t, false, 0.0);
  // back on at 161; a window lies after it from t = 260, so resume >= 100
  for (int t = 161; t <= 300; ++t) c.on_step(t, true, t >= 200 ? (t >= 280 ? 0.9 : 0.6) : 0.2);
  EXPECT_TRUE(c.resumed());
  EXPECT_EQ(c.resume(0.5), 100);  // t = 260
  EXPECT_EQ(c.resume(0.8), 120);  // t = 280
  EXPECT_EQ(c.first(0.8), 120) << "first is not touched by the gap";
}
