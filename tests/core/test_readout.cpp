// The delta-rule readout against a hand-computed case, dense and local.
#include <gtest/gtest.h>

#include "core/readout.hpp"

using namespace spikecube;

namespace {
Config readout_config(int radius) {
  Config c;
  c.eta_out = 0.5;
  c.tau_out = 0.25;
  c.readout_init_sd = 0.0;
  c.readout_radius = radius;
  return c;
}
}  // namespace

TEST(Readout, DeltaRuleByHand) {
  const std::vector<Point> xy = {{0, 0}, {1, 0}, {0, 1}};
  Readout r(2, 3, xy, readout_config(-1), 0);
  Frame out;
  r.predict({0, 2}, out);
  EXPECT_EQ(out, (Frame{0, 0, 0, 0}));
  // y - y_hat = (1, 0, 0, 1): columns 0 and 2 gain eta at pixels 0 and 3
  r.learn({0, 2}, out, Frame{1, 0, 0, 1});
  EXPECT_FLOAT_EQ(r.weights()(0, 0), 0.5f);
  EXPECT_FLOAT_EQ(r.weights()(3, 2), 0.5f);
  EXPECT_FLOAT_EQ(r.weights()(0, 1), 0.0f) << "silent source unchanged";
  EXPECT_FLOAT_EQ(r.weights()(1, 0), 0.0f) << "correct pixel unchanged";
  r.predict({0}, out);  // drive 0.5 > 0.25 at pixels 0 and 3
  EXPECT_EQ(out, (Frame{1, 0, 0, 1}));
  // a false alarm at pixel 0 is unlearned
  r.learn({0}, out, Frame{0, 0, 0, 1});
  EXPECT_FLOAT_EQ(r.weights()(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(r.weights()(3, 0), 0.5f);
  r.predict({0}, out);
  EXPECT_EQ(out, (Frame{0, 0, 0, 1}));
}

TEST(Readout, LocalFieldOnlyLearnsInsideIt) {
  const std::vector<Point> xy = {{0, 0}, {1, 1}};
  Readout r(2, 2, xy, readout_config(0), 0);
  Frame out;
  r.predict({0, 1}, out);
  r.learn({0, 1}, out, Frame{1, 1, 1, 1});
  EXPECT_FLOAT_EQ(r.weights()(0, 0), 0.5f);  // source 0 sees pixel (0,0) only
  EXPECT_FLOAT_EQ(r.weights()(3, 0), 0.0f);
  EXPECT_FLOAT_EQ(r.weights()(3, 1), 0.5f);  // source 1 sees pixel (1,1) only
  EXPECT_FLOAT_EQ(r.weights()(1, 1), 0.0f);
}

TEST(Readout, InitialWeightsAreGaussianWithTheConfiguredSd) {
  Config c = readout_config(-1);
  c.readout_init_sd = 0.1;
  std::vector<Point> xy(400);
  Readout r(20, 400, xy, c, 3);
  const double mean = r.weights().mean();
  const double sd = std::sqrt((r.weights().array() - mean).square().mean());
  EXPECT_NEAR(mean, 0.0, 0.002);
  EXPECT_NEAR(sd, 0.1, 0.002);
}
