// The neuron rule (neuron_rule.hpp, applied by integrate()): LIF
// integration and the three threshold rules, against hand-computed values.
#include <gtest/gtest.h>

#include "core/neurons.hpp"

using namespace spikecube;

namespace {
NeuronParams homeostatic() {
  NeuronParams p;
  p.rho = 0.5f;
  p.bias = 0.1f;
  p.noise = 0.0f;
  p.rule = ThresholdRule::kHomeostatic;
  p.theta_init = 1.0f;
  p.eta_theta = 0.1f;
  p.r_target = 0.2f;
  p.theta_min = 0.3f;
  p.theta_max = 3.0f;
  return p;
}
}  // namespace

TEST(Neurons, LifStepAndHomeostasisByHand) {
  const NeuronParams p = homeostatic();
  Neurons n;
  n.init(4, p);
  n.v << 0.4f, 0.8f, 0.0f, 0.0f;
  n.theta << 1.0f, 1.0f, 0.305f, 2.95f;
  const float current[4] = {0.3f, 0.7f, 0.0f, 3.0f};
  std::uint8_t s[4];
  EXPECT_EQ(integrate(n, p, current, s, 0, 4, 0), 2);
  // v = 0.5*0.4 + 0.3 + 0.1 = 0.6 < 1: no spike
  EXPECT_EQ(s[0], 0);
  EXPECT_NEAR(n.v[0], 0.6f, 1e-6f);
  // v = 0.5*0.8 + 0.7 + 0.1 = 1.2 >= 1: spike, reset to 0
  EXPECT_EQ(s[1], 1);
  EXPECT_EQ(n.v[1], 0.0f);
  EXPECT_EQ(s[2], 0);
  EXPECT_NEAR(n.v[2], 0.1f, 1e-6f);
  EXPECT_EQ(s[3], 1);
  // the threshold rule ran in the same step
  EXPECT_NEAR(n.theta[0], 1.0f - 0.1f * 0.2f, 1e-6f);  // 0.98
  EXPECT_NEAR(n.theta[1], 1.0f + 0.1f * 0.8f, 1e-6f);  // 1.08
  EXPECT_FLOAT_EQ(n.theta[2], 0.3f);                   // 0.285 clipped to the floor
  EXPECT_FLOAT_EQ(n.theta[3], 3.0f);                   // 3.03 clipped to the ceiling
}

TEST(Neurons, AdaptiveThresholdJumpsAndDecays) {
  NeuronParams p = homeostatic();
  p.rule = ThresholdRule::kAdaptive;
  p.theta0 = 0.6f;
  p.adapt_jump = 0.3f;
  p.adapt_decay = 0.5f;
  Neurons n;
  n.init(1, p);
  const float current = 0.6f;
  std::uint8_t s = 0;
  integrate(n, p, &current, &s, 0, 1, 0);  // v = 0.7 >= 0.6
  EXPECT_EQ(s, 1);
  EXPECT_FLOAT_EQ(n.theta[0], 0.3f);
  EXPECT_FLOAT_EQ(n.threshold(0, p), 0.9f);
  integrate(n, p, &current, &s, 0, 1, 0);  // v = 0.7 < 0.9
  EXPECT_EQ(s, 0);
  EXPECT_FLOAT_EQ(n.theta[0], 0.15f);
}

TEST(Neurons, RefractoryNeuronsStaySilentAndAtReset) {
  NeuronParams p = homeostatic();
  p.rule = ThresholdRule::kFixed;
  p.refractory = 2;
  p.v_reset = -0.1f;
  Neurons n;
  n.init(1, p);
  const float big = 5.0f;
  std::uint8_t s = 0;
  std::vector<int> spikes;
  for (int t = 0; t < 7; ++t) {
    integrate(n, p, &big, &s, 0, 1, 0);
    spikes.push_back(s);
    if (!s) {
      EXPECT_FLOAT_EQ(n.v[0], -0.1f);
    }
  }
  EXPECT_EQ(spikes, (std::vector<int>{1, 0, 0, 1, 0, 0, 1}));
}

TEST(Neurons, FixedThresholdNeverMoves) {
  NeuronParams p = homeostatic();
  p.rule = ThresholdRule::kFixed;
  Neurons n;
  n.init(2, p);
  const float current[2] = {5.0f, 0.0f};
  std::uint8_t s[2];
  integrate(n, p, current, s, 0, 2, 0);
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[1], 0);
  EXPECT_FLOAT_EQ(n.theta[0], 1.0f);
  EXPECT_FLOAT_EQ(n.theta[1], 1.0f);
  EXPECT_FLOAT_EQ(n.threshold(0, p), 1.0f);
}

TEST(Neurons, NoiseIsDeterministicPerKeyAndZeroMean) {
  NeuronParams p = homeostatic();
  p.noise = 0.2f;
  p.rule = ThresholdRule::kFixed;
  p.theta_init = 100.0f;
  p.rho = 0.0f;
  p.bias = 0.0f;
  Neurons a, b;
  a.init(10000, p);
  b.init(10000, p);
  std::vector<float> cur(10000, 0.0f);
  std::vector<std::uint8_t> s(10000);
  integrate(a, p, cur.data(), s.data(), 0, 10000, 42);
  integrate(b, p, cur.data(), s.data(), 0, 10000, 42);
  EXPECT_TRUE((a.v == b.v).all());
  EXPECT_NEAR(a.v.mean(), 0.0f, 0.01f);
  EXPECT_NEAR(std::sqrt(a.v.square().mean()), 0.2f, 0.01f);
  integrate(b, p, cur.data(), s.data(), 0, 10000, 43);
  EXPECT_FALSE((a.v == b.v).all());
}
