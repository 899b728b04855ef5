#pragma once
// The layer model's neurons: the arrays of the neuron rule (neuron_rule.hpp)
// and the loop that applies it to a range of neurons.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/neuron_rule.hpp"

namespace spikecube {

struct Neurons {
  Eigen::ArrayXf v;                // membrane potential, one per neuron
  Eigen::ArrayXf theta;            // homeostatic/fixed: threshold; adaptive: adaptation a
  std::vector<std::uint8_t> refr;  // steps of refractoriness left (empty when refractory = 0)

  void init(std::int64_t count, const NeuronParams& p);
  std::int64_t size() const { return v.size(); }
  // Effective threshold of neuron i.
  float threshold(std::int64_t i, const NeuronParams& p) const { return effective_threshold(p, theta[i]); }
};

// One step of the neuron rule (neuron_rule.hpp) for neurons [begin, end):
// membrane, spikes, refractoriness, then the threshold rule. `current` holds
// the synaptic and input currents; spikes[i] is written for every i in
// range. Returns the number of spikes. noise_key is the per-step key from
// rng::key32(rng::key(seed, Stream::kNoise, step)).
std::int64_t integrate(Neurons& n, const NeuronParams& p, const float* current, std::uint8_t* spikes,
                       std::int64_t begin, std::int64_t end, std::uint32_t noise_key);

}  // namespace spikecube
