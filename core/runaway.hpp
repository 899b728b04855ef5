#pragma once
// Runaway firing, measured against what the lattice can fire. A neuron with
// a refractory period of r steps fires at most once every r + 1 steps, so a
// saturated lattice fires 1/(r + 1) of its neurons per step, often all at
// once and then nothing for r steps: a per-step rate never looks "high" for
// long. The check therefore follows the firing rate averaged over a window
// of 8 (r + 1) steps (an exponential average), scaled by r + 1: 1 means every
// neuron fires whenever it is able to. A model is runaway when that, or the
// plain rate of the step, stays at or above its threshold for a number of
// steps in a row.
//
// The average and the count of steps travel in one int64 (the models' former
// step counter, saved in checkpoints under the same name): the average in the
// low 32 bits as a fixed-point fraction, the count above.

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace spikecube::runaway {

inline constexpr double kScale = 1073741824.0;  // 2^30: the average's fixed-point unit

inline double average(std::int64_t packed) { return static_cast<double>(packed & 0xffffffffLL) / kScale; }
inline std::int64_t steps(std::int64_t packed) { return packed >> 32; }

// One step: rate is the fraction of neurons that fired, refractory the
// model's r, threshold the scaled level that counts as runaway.
inline std::int64_t update(std::int64_t packed, double rate, int refractory, double threshold) {
  const double capacity = 1.0 / (std::max(0, refractory) + 1);
  const double window = 8.0 / capacity;
  double avg = average(packed);
  avg = std::clamp(avg + (rate - avg) / window, 0.0, 1.0);
  std::int64_t run = steps(packed);
  // the plain rate too: without refractoriness this is the per-step check
  const bool high = rate >= threshold || avg / capacity >= threshold;
  run = high ? std::min<std::int64_t>(run + 1, 1LL << 30) : 0;
  return (run << 32) | static_cast<std::int64_t>(std::llround(avg * kScale));
}

}  // namespace spikecube::runaway
