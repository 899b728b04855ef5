#include "core/neurons.hpp"

#include <cmath>

#include "core/rng.hpp"

namespace spikecube {

ThresholdRule threshold_rule_of(const Config& c) {
  if (c.threshold == "adaptive") return ThresholdRule::kAdaptive;
  if (c.threshold == "fixed") return ThresholdRule::kFixed;
  return ThresholdRule::kHomeostatic;
}

NeuronParams NeuronParams::from(const Config& c) {
  NeuronParams p;
  p.rho = static_cast<float>(c.rho);
  p.bias = static_cast<float>(c.bias);
  p.noise = static_cast<float>(c.noise);
  p.v_reset = static_cast<float>(c.v_reset);
  p.rule = threshold_rule_of(c);
  p.theta_init = static_cast<float>(c.theta_init);
  p.eta_theta = static_cast<float>(c.eta_theta);
  p.r_target = static_cast<float>(c.r_target);
  p.theta_min = static_cast<float>(c.theta_min);
  p.theta_max = static_cast<float>(c.theta_max);
  p.theta0 = static_cast<float>(c.theta0);
  p.adapt_jump = static_cast<float>(c.adapt_jump);
  p.adapt_decay = static_cast<float>(std::exp(-1.0 / c.adapt_tau));
  p.refractory = c.refractory;
  return p;
}

void Neurons::init(std::int64_t count, const NeuronParams& p) {
  v = Eigen::ArrayXf::Zero(count);
  theta =
      p.rule == ThresholdRule::kAdaptive ? Eigen::ArrayXf::Zero(count) : Eigen::ArrayXf::Constant(count, p.theta_init);
  refr.assign(p.refractory > 0 ? static_cast<std::size_t>(count) : 0, 0);
}

namespace {

template <ThresholdRule kRule, bool kRefractory>
std::int64_t integrate_range(Neurons& n, const NeuronParams& p, const float* current, std::uint8_t* spikes,
                             std::int64_t begin, std::int64_t end, std::uint32_t noise_key) {
  float* v = n.v.data();
  float* th = n.theta.data();
  std::uint8_t* refr = n.refr.data();
  std::uint8_t no_refr = 0;
  const bool noisy = p.noise > 0.0f;
  std::int64_t count = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    float drive = current[i] + p.bias;
    if (noisy) drive += p.noise * rng::fast_normal(noise_key, static_cast<std::uint32_t>(i));
    float v_new;
    const bool fire = lif_step<kRule, kRefractory>(p, drive, th[i], v[i], kRefractory ? refr[i] : no_refr, v_new);
    th[i] = threshold_after<kRule>(p, th[i], fire);
    spikes[i] = fire ? 1 : 0;
    count += fire ? 1 : 0;
  }
  return count;
}

template <ThresholdRule kRule>
std::int64_t integrate_rule(Neurons& n, const NeuronParams& p, const float* current, std::uint8_t* spikes,
                            std::int64_t begin, std::int64_t end, std::uint32_t noise_key) {
  return n.refr.empty() ? integrate_range<kRule, false>(n, p, current, spikes, begin, end, noise_key)
                        : integrate_range<kRule, true>(n, p, current, spikes, begin, end, noise_key);
}

}  // namespace

std::int64_t integrate(Neurons& n, const NeuronParams& p, const float* current, std::uint8_t* spikes,
                       std::int64_t begin, std::int64_t end, std::uint32_t noise_key) {
  switch (p.rule) {
    case ThresholdRule::kFixed:
      return integrate_rule<ThresholdRule::kFixed>(n, p, current, spikes, begin, end, noise_key);
    case ThresholdRule::kAdaptive:
      return integrate_rule<ThresholdRule::kAdaptive>(n, p, current, spikes, begin, end, noise_key);
    case ThresholdRule::kHomeostatic: break;
  }
  return integrate_rule<ThresholdRule::kHomeostatic>(n, p, current, spikes, begin, end, noise_key);
}

}  // namespace spikecube
