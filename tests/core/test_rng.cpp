// The counter-based generator: pure, seed-sensitive, with sane moments.
#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.hpp"

using namespace spikecube;

TEST(Rng, SameKeyAndIndexGiveTheSameDraw) {
  const auto k1 = rng::key(7, Stream::kNoise, 123);
  const auto k2 = rng::key(7, Stream::kNoise, 123);
  EXPECT_EQ(k1, k2);
  EXPECT_EQ(rng::uniform(k1, 55), rng::uniform(k2, 55));
  EXPECT_EQ(rng::fast_normal(rng::key32(k1), 9), rng::fast_normal(rng::key32(k2), 9));
}

TEST(Rng, SeedStreamStepAndIndexEachChangeTheDraw) {
  const double base = rng::uniform(rng::key(1, Stream::kNoise, 10), 3);
  EXPECT_NE(base, rng::uniform(rng::key(2, Stream::kNoise, 10), 3));
  EXPECT_NE(base, rng::uniform(rng::key(1, Stream::kStimulus, 10), 3));
  EXPECT_NE(base, rng::uniform(rng::key(1, Stream::kNoise, 11), 3));
  EXPECT_NE(base, rng::uniform(rng::key(1, Stream::kNoise, 10), 4));
}

TEST(Rng, UniformIsInRangeWithTheRightMoments) {
  const auto k = rng::key(3, Stream::kInitInput, 0);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = rng::uniform(k, static_cast<std::uint64_t>(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    s += u;
    s2 += u * u;
  }
  EXPECT_NEAR(s / n, 0.5, 0.005);
  EXPECT_NEAR(s2 / n - (s / n) * (s / n), 1.0 / 12, 0.002);
}

TEST(Rng, NormalsHaveUnitVarianceAndBoundedTails) {
  const auto k = rng::key(5, Stream::kNoise, 1);
  const auto k32 = rng::key32(k);
  double s = 0, s2 = 0, f = 0, f2 = 0, fmax = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = rng::normal(k, static_cast<std::uint64_t>(i));
    s += z;
    s2 += z * z;
    const double y = rng::fast_normal(k32, static_cast<std::uint32_t>(i));
    f += y;
    f2 += y * y;
    fmax = std::max(fmax, std::abs(y));
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.02);
  EXPECT_NEAR(f / n, 0.0, 0.01);
  EXPECT_NEAR(f2 / n, 1.0, 0.02);
  EXPECT_LE(fmax, 3.46);  // Irwin-Hall with 4 bytes cuts the tails at +-3.45 sd
}
