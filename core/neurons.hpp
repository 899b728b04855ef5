#pragma once
// Leaky integrate-and-fire neurons, shared by every model, with three
// threshold rules: homeostatic (theta follows the firing rate towards
// r_target), adaptive (theta = theta0 + a, a jumps at each spike and decays),
// and fixed. Regulation is always per neuron, never a global controller.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/config.hpp"

namespace spikecube {

enum class ThresholdRule : std::uint8_t { kHomeostatic, kAdaptive, kFixed };

struct NeuronParams {
  float rho = 0.9f;        // membrane decay per step
  float bias = 0.05f;      // constant current b
  float noise = 0.0f;      // sd of the current noise per step
  float v_reset = 0.0f;
  ThresholdRule rule = ThresholdRule::kHomeostatic;
  float theta_init = 1.0f; // homeostatic start / fixed threshold
  float eta_theta = 0.01f, r_target = 0.1f, theta_min = 0.3f, theta_max = 3.0f;
  float theta0 = 0.6f, adapt_jump = 0.3f, adapt_decay = 0.95f;  // decay = exp(-1/tau_a)
  int refractory = 0;

  static NeuronParams from(const Config& cfg);
};

struct Neurons {
  Eigen::ArrayXf v;                  // membrane potential, one per neuron
  Eigen::ArrayXf theta;              // homeostatic/fixed: threshold; adaptive: adaptation a
  std::vector<std::uint8_t> refr;    // steps of refractoriness left (empty when refractory = 0)

  void init(std::int64_t count, const NeuronParams& p);
  std::int64_t size() const { return v.size(); }
  // Effective threshold of neuron i.
  float threshold(std::int64_t i, const NeuronParams& p) const {
    return p.rule == ThresholdRule::kAdaptive ? p.theta0 + theta[i] : theta[i];
  }
};

// v <- rho*v + current + bias + noise; spikes where v >= threshold (reset to
// v_reset); refractory neurons are held at v_reset. `current` holds the
// synaptic and input currents of neurons [begin, end); spikes[i] is written
// for every i in range. Returns the number of spikes. noise_key is the
// per-step key from rng::key32(rng::key(seed, Stream::kNoise, step)).
std::int64_t integrate(Neurons& n, const NeuronParams& p, const float* current, std::uint8_t* spikes,
                       std::int64_t begin, std::int64_t end, std::uint32_t noise_key);

// Homeostasis or adaptation after plasticity, for neurons [begin, end).
void update_thresholds(Neurons& n, const NeuronParams& p, const std::uint8_t* spikes, std::int64_t begin,
                       std::int64_t end);

}  // namespace spikecube
