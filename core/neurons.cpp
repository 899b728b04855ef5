#include "core/neurons.hpp"

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"

namespace spikecube {

NeuronParams NeuronParams::from(const Config& c) {
  NeuronParams p;
  p.rho = static_cast<float>(c.rho);
  p.bias = static_cast<float>(c.bias);
  p.noise = static_cast<float>(c.noise);
  p.v_reset = static_cast<float>(c.v_reset);
  p.rule = c.threshold == "adaptive" ? ThresholdRule::kAdaptive
           : c.threshold == "fixed"  ? ThresholdRule::kFixed
                                     : ThresholdRule::kHomeostatic;
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
  theta = p.rule == ThresholdRule::kAdaptive ? Eigen::ArrayXf::Zero(count) : Eigen::ArrayXf::Constant(count, p.theta_init);
  refr.assign(p.refractory > 0 ? static_cast<std::size_t>(count) : 0, 0);
}

std::int64_t integrate(Neurons& n, const NeuronParams& p, const float* current, std::uint8_t* spikes,
                       std::int64_t begin, std::int64_t end, std::uint32_t noise_key) {
  float* v = n.v.data();
  const float* th = n.theta.data();
  const float offset = p.rule == ThresholdRule::kAdaptive ? p.theta0 : 0.0f;
  const bool noisy = p.noise > 0.0f;
  std::int64_t count = 0;
  // branch-free body so the compiler vectorises it; noise costs one integer
  // hash per neuron and is skipped entirely when sigma = 0
  for (std::int64_t i = begin; i < end; ++i) {
    float drive = current[i] + p.bias;
    if (noisy) drive += p.noise * rng::fast_normal(noise_key, static_cast<std::uint32_t>(i));
    const float vi = p.rho * v[i] + drive;
    const bool fire = vi >= th[i] + offset;
    v[i] = fire ? p.v_reset : vi;
    spikes[i] = fire ? 1 : 0;
    count += fire ? 1 : 0;
  }
  if (!n.refr.empty()) {
    std::uint8_t* r = n.refr.data();
    const auto hold = static_cast<std::uint8_t>(p.refractory);
    count = 0;
    for (std::int64_t i = begin; i < end; ++i) {
      const bool resting = r[i] > 0;
      if (resting) {
        spikes[i] = 0;
        v[i] = p.v_reset;
      }
      r[i] = resting ? static_cast<std::uint8_t>(r[i] - 1) : (spikes[i] ? hold : 0);
      count += spikes[i];
    }
  }
  return count;
}

void update_thresholds(Neurons& n, const NeuronParams& p, const std::uint8_t* spikes, std::int64_t begin,
                       std::int64_t end) {
  float* th = n.theta.data();
  switch (p.rule) {
    case ThresholdRule::kHomeostatic:
      for (std::int64_t i = begin; i < end; ++i) {
        const float t = th[i] + p.eta_theta * (static_cast<float>(spikes[i]) - p.r_target);
        th[i] = std::clamp(t, p.theta_min, p.theta_max);
      }
      break;
    case ThresholdRule::kAdaptive:
      for (std::int64_t i = begin; i < end; ++i) th[i] = th[i] * p.adapt_decay + p.adapt_jump * static_cast<float>(spikes[i]);
      break;
    case ThresholdRule::kFixed:
      break;
  }
}

}  // namespace spikecube
