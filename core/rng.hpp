#pragma once
// Counter-based random numbers: every draw is a pure function of
// (seed, stream, step, index). No generator state is carried between draws,
// so results never depend on thread count, on the order neurons are visited,
// or on how often a viewer samples the model. A checkpoint needs no RNG state
// beyond the seed and the step counter.

#include <cmath>
#include <cstdint>

namespace spikecube {

// Streams keep independent uses of randomness apart. Never renumber them:
// doing so changes every result for a given seed.
enum class Stream : std::uint32_t {
  kStimulus = 1,
  kInitInput = 2,
  kInitRecurrent = 3,
  kInitReadout = 4,
  kInitLattice = 5,
  kInitGroups = 6,
  kNoise = 7,
  kThreshold = 8,
  kLinkMask = 9,      // which lattice links exist (lattice.density_*)
  kInitLateral = 10,  // initial weights of the wider lateral links
};

namespace rng {

// 64-bit finaliser with full avalanche (the splitmix64 output function).
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 32-bit integer hash with good avalanche; cheap enough to vectorise.
constexpr std::uint32_t mix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Key for one (seed, stream, step): computed once per step, then combined with
// each neuron index by the cheap per-index hashes below.
constexpr std::uint64_t key(std::uint64_t seed, Stream stream, std::uint64_t step) {
  std::uint64_t k = mix64(seed + 0x9e3779b97f4a7c15ULL);
  k = mix64(k ^ (static_cast<std::uint64_t>(stream) * 0xd1b54a32d192ed03ULL));
  return mix64(k ^ (step * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
}

constexpr std::uint64_t bits64(std::uint64_t k, std::uint64_t index) {
  return mix64(k ^ mix64(index + 0x9e3779b97f4a7c15ULL));
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform(std::uint64_t k, std::uint64_t index) {
  return static_cast<double>(bits64(k, index) >> 11) * 0x1.0p-53;
}

// Standard normal by Box-Muller on two uniforms (exact, used where a true
// Gaussian matters more than speed: initial weights).
inline double normal(std::uint64_t k, std::uint64_t index) {
  const double u1 = 1.0 - uniform(k, 2 * index);  // (0, 1]
  const double u2 = uniform(k, 2 * index + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Approximately standard normal, for per-neuron per-step noise: the sum of the
// four bytes of one 32-bit hash (Irwin-Hall with 4 terms), centred and scaled
// to unit variance. Tails are cut at +-3.45 sd; this is what lets noise cost a
// couple of integer ops per neuron instead of a log and a cos.
// (Vector copies of it, which must stay bit-identical: noise_block in
// core/cube_model.cpp.)
constexpr std::uint32_t kFastNormalStride = 0x9e3779b9U;
constexpr float kFastNormalMean = 510.0f;             // 4 * 255 / 2
constexpr float kFastNormalInvSd = 1.0f / 147.7993f;  // 1 / sqrt(4 * (256^2 - 1) / 12)
inline float fast_normal(std::uint32_t k32, std::uint32_t index) {
  const std::uint32_t h = mix32(index * kFastNormalStride + k32);
  const std::uint32_t s = (h & 0xffU) + ((h >> 8) & 0xffU) + ((h >> 16) & 0xffU) + (h >> 24);
  return (static_cast<float>(s) - kFastNormalMean) * kFastNormalInvSd;
}

inline std::uint32_t key32(std::uint64_t k) { return static_cast<std::uint32_t>(k ^ (k >> 32)); }

}  // namespace rng
}  // namespace spikecube
