#pragma once
// The one neuron rule of every model: leaky integrate-and-fire with
// refractoriness and one of three threshold rules, per neuron (never a global
// controller):
//   homeostatic  theta follows the firing rate towards r_target, clipped to
//                [theta_min, theta_max]
//   adaptive     theta = theta0 + a; a jumps by adapt_jump at each spike and
//                decays by exp(-1/adapt_tau) per step
//   fixed        theta = theta_init
//
// One neuron, one step:
//   v <- rho v + current + bias + noise
//   spike when v >= theta (effective_threshold) and the neuron is not
//   refractory; a spiking or refractory neuron is held at v_reset, and a
//   spike starts `refractory` silent steps
//   then the threshold rule sees the spike (threshold_after)
//
// The functions below are that rule for one neuron. The layer model runs it
// in a plain loop (neurons.cpp), the lattices in their vectorised integration
// kernel (cube_model.cpp), with the rule and the options as template
// arguments so that each kernel is branch-free. They are written with
// selects and 32-bit integer lanes because that is what the vectoriser turns
// into the same machine code as the hand-inlined loop they replace.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/config.hpp"

namespace spikecube {

enum class ThresholdRule : std::uint8_t { kHomeostatic, kAdaptive, kFixed };

// neuron.threshold of the TOML config as an enum (read once per model, never per step)
ThresholdRule threshold_rule_of(const Config& cfg);

struct NeuronParams {
  float rho = 0.9f;    // membrane decay per step
  float bias = 0.05f;  // constant current b
  float noise = 0.0f;  // sd of the current noise per step
  float v_reset = 0.0f;
  ThresholdRule rule = ThresholdRule::kHomeostatic;
  float theta_init = 1.0f;  // homeostatic start / fixed threshold
  float eta_theta = 0.01f, r_target = 0.1f, theta_min = 0.3f, theta_max = 3.0f;
  float theta0 = 0.6f, adapt_jump = 0.3f, adapt_decay = 0.95f;  // decay = exp(-1/tau_a)
  int refractory = 0;

  static NeuronParams from(const Config& cfg);
};

// The effective threshold of a neuron whose threshold state is th (the
// homeostatic threshold, or the adaptive rule's a; unused by the fixed rule).
template <ThresholdRule kRule>
inline float effective_threshold(const NeuronParams& p, float th) {
  if constexpr (kRule == ThresholdRule::kFixed) return p.theta_init;
  else if constexpr (kRule == ThresholdRule::kAdaptive) return p.theta0 + th;
  else return th;
}

inline float effective_threshold(const NeuronParams& p, float th) {
  switch (p.rule) {
    case ThresholdRule::kFixed: return effective_threshold<ThresholdRule::kFixed>(p, th);
    case ThresholdRule::kAdaptive: return effective_threshold<ThresholdRule::kAdaptive>(p, th);
    case ThresholdRule::kHomeostatic: break;
  }
  return effective_threshold<ThresholdRule::kHomeostatic>(p, th);
}

// Membrane, spike and refractoriness of one neuron given its drive (current
// + bias + noise); returns whether it spiked. v_new is the integrated
// potential before any reset (the caller checks it for non-finite values).
template <ThresholdRule kRule, bool kRefractory>
inline bool lif_step(const NeuronParams& p, float drive, float th, float& v, std::uint8_t& refr, float& v_new) {
  const float vi = p.rho * v + drive;
  v_new = vi;
  bool fire = vi >= effective_threshold<kRule>(p, th);
  if constexpr (kRefractory) {
    // integer selects in 32-bit lanes: the vectoriser handles these
    const std::uint32_t r = refr;
    const std::uint32_t resting = r != 0u ? 1u : 0u;
    const std::uint32_t f = (fire ? 1u : 0u) & (resting ^ 1u);
    fire = f != 0u;
    refr = static_cast<std::uint8_t>(r - resting +
                                     f * static_cast<std::uint32_t>(static_cast<std::uint8_t>(p.refractory)));
    v = (f | resting) != 0u ? p.v_reset : vi;
  } else {
    v = fire ? p.v_reset : vi;
  }
  return fire;
}

// The threshold state after a step with spike `fire`.
template <ThresholdRule kRule>
inline float threshold_after(const NeuronParams& p, float th, bool fire) {
  const float sf = fire ? 1.0f : 0.0f;
  if constexpr (kRule == ThresholdRule::kHomeostatic)
    return std::min(std::max(th + p.eta_theta * (sf - p.r_target), p.theta_min), p.theta_max);
  else if constexpr (kRule == ThresholdRule::kAdaptive) return th * p.adapt_decay + p.adapt_jump * sf;
  else return th;
}

}  // namespace spikecube
