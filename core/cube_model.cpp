#include "core/cube_model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/health.hpp"
#include "core/lattice_slab.hpp"
#include "core/rng.hpp"
#include "core/runaway.hpp"
#include "core/slab_hash.hpp"

// The STDP sweep has a hand-written AVX-512 kernel (stdp_six); the portable
// loops (stdp_span) are the reference, and tests check that both give
// bit-identical weights (CubeModel::portable_kernels).
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && !defined(SPIKECUBE_NO_INTRINSICS)
#include <immintrin.h>
#define SPIKECUBE_STDP_AVX512 1
#else
#define SPIKECUBE_STDP_AVX512 0
#endif
// the noise of the integration kernel sums each hash's four bytes in one
// instruction (vpdpbusd)
#if SPIKECUBE_STDP_AVX512 && defined(__AVX512VNNI__)
#define SPIKECUBE_NOISE_VNNI 1
#else
#define SPIKECUBE_NOISE_VNNI 0
#endif

namespace spikecube {
namespace {

constexpr int kFocusRadius = 3;
// neurons per block of the integration pass (whole rows, at least one)
constexpr std::int64_t kBlock = 32768;

std::vector<Point> face_points(int n, int layers) {
  std::vector<Point> p;
  p.reserve(static_cast<std::size_t>(n) * n * layers);
  for (int k = 0; k < layers; ++k)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) p.push_back({x, y});
  return p;
}

}  // namespace

Config cube_benchmark_config(int n, int depth, int threads) {
  Config c;
  c.model = "cube";
  c.n = n;
  c.depth = depth;
  c.threads = threads;
  c.stimulus = "dot";
  c.input_gain = 2.0;
  c.rho = 0.9;
  c.bias = 0.05;
  c.noise = 0.2;
  c.threshold = "fixed";
  c.theta_init = 1.0;
  c.v_reset = 0.0;
  c.refractory = 3;
  c.w_init_lo = 0.08;
  c.w_init_hi = 0.12;
  c.w_max = 0.25;
  c.tau_plus = 20.0;
  c.tau_minus = 20.0;
  c.a_plus = 0.0025;
  c.a_minus = 1.05 * 0.0025;
  c.plastic = true;
  return c;
}

namespace {

// Everything one row kernel needs, as plain pointers and values: the
// vectoriser handles free functions over __restrict pointers far better than
// member functions that reach through `this`.
struct RowArgs {
  const std::uint8_t* prev;  // last step's spikes (padded)
  std::uint8_t* out;         // this step's spikes
  float* v;
  float* th;  // threshold or adaptation (may be null)
  float* tp;  // pre (or shared) trace
  float* tm;  // post trace (two traces only)
  std::uint8_t* refr;
  NeuronParams neuron;
  float dp, dm;
  bool nearest;
  std::uint32_t noise_key;
  std::int64_t first;  // global index of neuron 0 (a rank's slab): the noise is drawn at the global index
};

// currents of neurons [begin, end) in the fixed order xp, xm, yp, ym, zp, zm (see header);
// links that leave the lattice have weight 0, so faces need no special case
void gather_range(const std::uint8_t* __restrict prev, const float* __restrict w0, const float* __restrict w1,
                  const float* __restrict w2, const float* __restrict w3, const float* __restrict w4,
                  const float* __restrict w5, const float* g, float* __restrict c, std::int64_t begin, std::int64_t end,
                  std::int64_t n, std::int64_t nn) {
  const float g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5];
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t x = i - begin;
    float s = g0 * (w0[i] * static_cast<float>(prev[i - 1]));
    s += g1 * (w1[i] * static_cast<float>(prev[i + 1]));
    s += g2 * (w2[i] * static_cast<float>(prev[i - n]));
    s += g3 * (w3[i] * static_cast<float>(prev[i + n]));
    s += g4 * (w4[i] * static_cast<float>(prev[i - nn]));
    s += g5 * (w5[i] * static_cast<float>(prev[i + nn]));
    c[x] = s;
  }
}

// neurons per noise block: its scratch stays in L1
constexpr std::int64_t kNoiseChunk = 1024;

// z[x] = scale * rng::fast_normal(key, first + x) for x in [0, m), bit for
// bit. The compiler vectorises fast_normal's byte sum as three shifts, three
// masks and three adds; vpdpbusd against 0x01010101 is one instruction.
void noise_block(std::uint32_t key, float scale, std::int64_t first, std::int64_t m, float* __restrict z) {
  std::int64_t x = 0;
#if SPIKECUBE_NOISE_VNNI
  if (!CubeModel::portable_kernels) {
    // the hash in GCC's vector types (the intrinsics of its shifts and
    // conversions trip g++ 12's -Wmaybe-uninitialized)
    using U32x16 = std::uint32_t __attribute__((vector_size(64)));
    using F32x16 = float __attribute__((vector_size(64)));
    const U32x16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const __m512i ones = _mm512_set1_epi32(0x01010101);
    // index * stride + key, stepped by additions (wrapping, as the
    // multiplication does): the hash's multiplications bound this loop
    U32x16 start = (static_cast<std::uint32_t>(first) + lane) * rng::kFastNormalStride + key;
    const std::uint32_t step = 16U * rng::kFastNormalStride;
    for (; x + 16 <= m; x += 16, start += step) {
      U32x16 h = start;
      h ^= h >> 16;
      h *= 0x7feb352dU;
      h ^= h >> 15;
      h *= 0x846ca68bU;
      h ^= h >> 16;
      const U32x16 bytes = reinterpret_cast<U32x16>(
          _mm512_dpbusd_epi32(_mm512_setzero_si512(), reinterpret_cast<__m512i>(h), ones));
      const F32x16 f = (__builtin_convertvector(bytes, F32x16) - rng::kFastNormalMean) * rng::kFastNormalInvSd;
      const F32x16 out = scale * f;
      std::memcpy(z + x, &out, sizeof out);
    }
  }
#endif
  for (; x < m; ++x) z[x] = scale * rng::fast_normal(key, static_cast<std::uint32_t>(first + x));
}

// The neuron rule (neuron_rule.hpp) over one block of neurons: membrane,
// spikes, refractoriness and threshold rule; the traces catch up with last
// step's spikes first (this step's deferred STDP has read them). With
// kNoise, z[x] is neuron (begin + x)'s noise, from noise_block.
template <ThresholdRule kRule, bool kRefr, bool kNoise, bool kTwoTraces>
void integrate_span(const RowArgs& a, const float* __restrict c, const float* __restrict z, std::int64_t begin,
                    std::int64_t end, bool& bad_out) {
  const std::uint8_t* __restrict prev = a.prev;
  std::uint8_t* __restrict out = a.out;
  float* __restrict v = a.v;
  float* __restrict th = a.th;
  float* __restrict tp = a.tp;
  float* __restrict tm = a.tm;
  std::uint8_t* __restrict refr = a.refr;
  const NeuronParams np = a.neuron;
  const float dp = a.dp, dm = a.dm;
  const float reset_to = a.nearest ? 0.0f : 1.0f;  // nearest: trace <- 1, else trace*d + 1
  std::uint8_t no_refr = 0;
  int bad = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t x = i - begin;
    const float was = static_cast<float>(prev[i]);
    // was = 1: trace*d*reset_to + 1 (1 for nearest); was = 0: trace*d. The
    // sign bit of the pre trace carries the neuron's latest spike (below).
    const float tp_new = std::fabs(tp[i]) * dp * (1.0f - was * (1.0f - reset_to)) + was;
    if constexpr (kTwoTraces) tm[i] = tm[i] * dm * (1.0f - was * (1.0f - reset_to)) + was;
    float drive = c[x] + np.bias;
    if constexpr (kNoise) drive += z[x];
    float th_i = 0.0f;  // the fixed rule has no threshold state
    if constexpr (kRule != ThresholdRule::kFixed) th_i = th[i];
    float vi;
    const bool fire = lif_step<kRule, kRefr>(np, drive, th_i, v[i], kRefr ? refr[i] : no_refr, vi);
    bad |= std::fabs(vi) <= 3.0e38f ? 0 : 1;
    out[i] = fire ? 1 : 0;
    // the spike of this step is also the sign of the (non-negative) pre
    // trace: the STDP reads spikes from the spike array and traces through
    // fabs, but the stored traces (checkpoints, state_hash) stay those of
    // the event-driven STDP that used the sign
    tp[i] = fire ? -tp_new : tp_new;
    if constexpr (kRule != ThresholdRule::kFixed) th[i] = threshold_after<kRule>(np, th_i, fire);
  }
  if (bad) bad_out = true;
}

// integrate_span over [begin, end), the noise (if any) drawn first in
// blocks: the fused loop did not vectorise the hash as well as a loop of
// its own (the same values, so the same results)
template <ThresholdRule kRule, bool kRefr, bool kNoise, bool kTwoTraces>
void integrate_range(const RowArgs& a, const float* c, std::int64_t begin, std::int64_t end, bool& bad_out) {
  if constexpr (kNoise) {
    alignas(64) float z[kNoiseChunk];
    for (std::int64_t b = begin; b < end; b += kNoiseChunk) {
      const std::int64_t e = std::min(end, b + kNoiseChunk);
      noise_block(a.noise_key, a.neuron.noise, b + a.first, e - b, z);  // drawn by global index
      integrate_span<kRule, kRefr, true, kTwoTraces>(a, c + (b - begin), z, b, e, bad_out);
    }
  } else {
    integrate_span<kRule, kRefr, false, kTwoTraces>(a, c, nullptr, begin, end, bad_out);
  }
}

// spikes per row: bytes are 0 or 1, so summing 8-byte words adds 8 rows of
// counters at once (no lane can overflow for n <= 1024)
std::int32_t count_row(const std::uint8_t* s, std::int64_t n) {
#if SPIKECUBE_STDP_AVX512
  // vpsadbw sums 64 bytes into eight 64-bit lanes; the row's tail is a
  // masked load (masked-off bytes are not read)
  if (!CubeModel::portable_kernels) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i sums = zero;
    std::int64_t x = 0;
    for (; x + 64 <= n; x += 64) sums = _mm512_add_epi64(sums, _mm512_sad_epu8(_mm512_loadu_si512(s + x), zero));
    if (x < n) {
      const __mmask64 tail = _bzhi_u64(~0ULL, static_cast<unsigned>(n - x));
      sums = _mm512_add_epi64(sums, _mm512_sad_epu8(_mm512_maskz_loadu_epi8(tail, s + x), zero));
    }
    // the eight lanes added in GCC's vector types (_mm512_reduce_add_epi64
    // trips g++ 12's -Wmaybe-uninitialized)
    using U64x8 = std::uint64_t __attribute__((vector_size(64)));
    using U64x4 = std::uint64_t __attribute__((vector_size(32)));
    using U64x2 = std::uint64_t __attribute__((vector_size(16)));
    const auto v = reinterpret_cast<U64x8>(sums);
    const U64x4 q = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    const U64x2 h = __builtin_shufflevector(q, q, 0, 1) + __builtin_shufflevector(q, q, 2, 3);
    return static_cast<std::int32_t>(h[0] + h[1]);
  }
#endif
  std::uint64_t acc = 0;
  std::int64_t x = 0;
  for (; x + 8 <= n; x += 8) {
    std::uint64_t w;
    std::memcpy(&w, s + x, 8);
    acc += w;
  }
  std::int32_t tail = 0;
  for (; x < n; ++x) tail += s[x];
  std::int32_t sum = 0;
  for (int b = 0; b < 8; ++b) sum += static_cast<std::int32_t>((acc >> (8 * b)) & 0xffU);
  return sum + tail;
}

}  // namespace

namespace {

using IntegrateFn = void (*)(const RowArgs&, const float*, std::int64_t, std::int64_t, bool&);

// the integration kernel for a neuron rule, chosen once per step
IntegrateFn pick_integrate(ThresholdRule rule, bool refr, bool noise, bool two) {
  auto pick = [&]<ThresholdRule R>() -> IntegrateFn {
    if (refr) {
      if (noise) return two ? &integrate_range<R, true, true, true> : &integrate_range<R, true, true, false>;
      return two ? &integrate_range<R, true, false, true> : &integrate_range<R, true, false, false>;
    }
    if (noise) return two ? &integrate_range<R, false, true, true> : &integrate_range<R, false, true, false>;
    return two ? &integrate_range<R, false, false, true> : &integrate_range<R, false, false, false>;
  };
  switch (rule) {
    case ThresholdRule::kFixed: return pick.template operator()<ThresholdRule::kFixed>();
    case ThresholdRule::kAdaptive: return pick.template operator()<ThresholdRule::kAdaptive>();
    case ThresholdRule::kHomeostatic: break;
  }
  return pick.template operator()<ThresholdRule::kHomeostatic>();
}

// STDP of the in-links of direction d of neurons [begin, end), whose sources
// are j = i - off: a link changes when its target or its source spiked (s),
// from the source's pre trace x and the target's post trace y as they stood
// before those spikes (read through fabs: x's sign bit is the spike). With
// kMasked, live[i - begin] says whether the link exists (x and y faces,
// groups). Branch-free, so that it vectorises: every value is computed, and
// only those of links that change are kept. (Not inlined: the vectoriser
// keeps the __restrict promises of a function's own parameters.)
template <bool kMasked, bool kMultiplicative>
__attribute__((noinline)) void stdp_span(float* __restrict w, const std::uint8_t* __restrict s,
                                         const float* __restrict x, const float* __restrict y, std::int64_t begin,
                                         std::int64_t end, std::int64_t off, const std::uint8_t* __restrict live,
                                         const LinkRule& r) {
  // a local rule whose flag is a constant: the loop then vectorises
  const LinkRule rule{r.a_plus, r.a_minus, r.w_max, kMultiplicative};
  for (std::int64_t i = begin; i < end; ++i) {
    const bool si = s[i] != 0, sj = s[i - off] != 0;
    bool change = si | sj;
    if constexpr (kMasked) change = change & (live[i - begin] != 0);  // & not &&: the load stays unconditional
    const float next = stdp_link(w[i], std::fabs(x[i - off]), std::fabs(y[i]), sj, si, rule);
    w[i] = change ? next : w[i];
  }
}

#if SPIKECUBE_STDP_AVX512
// All six in-link directions of neurons [begin, end) in one loop, 16 targets
// at a time (the same operations as stdp_span, direction by direction): six
// weight streams in flight at once keep the memory system busy where six
// sweeps one after another would wait on one stream each. x[d] points at the
// source traces of direction d shifted to the target (x - off); live[d] at
// the x and y link masks, live_z[] is all or nothing for the block's plane.
// With kGather the kernel also sums the block's currents into c[i - begin]
// (gather_range's arithmetic, in its order, from the weights it just
// updated): the gather then needs no second pass over the six weight arrays.
struct SixWay {
  float* w[6];
  const float* x[6];
  const std::uint8_t* live[6];  // z directions: only with kSparseZ (lattice.density_z*)
  __mmask16 live_z[2];
  std::int64_t off[6];
  LinkRule rule[6];
  float* c;     // kGather: the block's currents
  float g[6];   // kGather: the plane's link gains
};

// floats: 1 kB ahead in each weight stream (measured: 128-512 alike, none
// 10-20% slower at 256^3), into L2 (prefetcht1): eight streams of L1
// prefetches keep the L1 miss buffers full (measured on the EPYC, cpu ns
// per neuron-step: 128^3 2.73-3.15 -> 2.33-2.43, 256^3 2.92-3.07 ->
// 2.73-3.07, 48^3 alike)
constexpr std::int64_t kPrefetchAhead = 256;

// kSkipQuiet: runs of 16 targets where neither end of any of their links
// spiked are skipped; that test is a branch that the predictor cannot learn
// at a few percent firing (where it is rarely taken and costs more than it
// saves), so the caller asks for it only where spikes are sparse.
template <bool kMultiplicative, bool kSparseZ, bool kGather, bool kSkipQuiet>
__attribute__((noinline)) void stdp_six(const SixWay& k, const std::uint8_t* __restrict s, const float* __restrict y,
                                        std::int64_t begin, std::int64_t end) {
  const __m512 zero = _mm512_setzero_ps();
  const __mmask16 all = 0xffff;
  const __m512 no_sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
  __m512 a_plus[6], a_minus[6], w_max[6], gain[6];
  bool unit_gain[6];
  // the pointers as locals: read through k, they would be reloaded after
  // every store (a store to w could alias k)
  float* wp[6];
  const float* xp[6];
  const std::uint8_t* lp[6];
  for (int d = 0; d < 6; ++d) {
    wp[d] = k.w[d];
    xp[d] = k.x[d];
    lp[d] = k.live[d];
    unit_gain[d] = k.g[d] == 1.0f;
    a_plus[d] = _mm512_set1_ps(k.rule[d].a_plus);
    a_minus[d] = _mm512_set1_ps(k.rule[d].a_minus);
    w_max[d] = _mm512_set1_ps(k.rule[d].w_max);
    gain[d] = _mm512_set1_ps(kGather ? k.g[d] : 0.0f);
  }
  // the current of 16 targets none of whose sources spiked: each term is
  // g_d * (w * 0) = g_d * +0 (weights are never negative: the rule clamps
  // them to [0, w_max]), summed in gather_range's order
  float quiet_sum = k.g[0] * 0.0f;
  for (int d = 1; d < 6; ++d) quiet_sum += k.g[d] * 0.0f;
  const __m512 quiet = _mm512_set1_ps(kGather ? quiet_sum : 0.0f);
  std::int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    const __m128i si8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __mmask16 post = _mm_test_epi8_mask(si8, si8);
    __mmask16 pre[6];
    __mmask16 any = post;
    for (int d = 0; d < 6; ++d) {
      const __m128i sj8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i - k.off[d]));
      pre[d] = _mm_test_epi8_mask(sj8, sj8);
      any = static_cast<__mmask16>(any | pre[d]);
    }
    // neither end of any of the 16 x 6 links spiked (a quiet stretch of the
    // lattice): no weight changes and the current is the constant above
    if (kSkipQuiet && any == 0) {
      if constexpr (kGather) _mm512_storeu_ps(k.c + (i - begin), quiet);
      continue;
    }
    const __m512 yi = _mm512_and_ps(_mm512_loadu_ps(y + i), no_sign);
    for (int d = 0; d < 6; ++d) _mm_prefetch(reinterpret_cast<const char*>(wp[d] + i + kPrefetchAhead), _MM_HINT_T1);
    // and the next plane's traces and spikes (sources of the -z links, d = 5), met here first
    _mm_prefetch(reinterpret_cast<const char*>(xp[5] + i + kPrefetchAhead), _MM_HINT_T1);
    _mm_prefetch(reinterpret_cast<const char*>(s - k.off[5] + i + kPrefetchAhead), _MM_HINT_T1);
    // the six weight and trace vectors are loaded before any store: the
    // arrays share their offset within a 4 kB page, so a load after a store
    // to another array at the same index looks to the core like a load that
    // may depend on that store (4K aliasing) and waits for it
    __m512 wvs[6] = {zero, zero, zero, zero, zero, zero}, xjs[6] = {zero, zero, zero, zero, zero, zero};
    for (int d = 0; d < 6; ++d) {
      const bool linked = d < 4 || k.live_z[d - 4] != 0;
      if (!kGather && !linked) continue;
      wvs[d] = _mm512_loadu_ps(wp[d] + i);
      if (linked) xjs[d] = _mm512_and_ps(_mm512_loadu_ps(xp[d] + i), no_sign);
    }
    __m512 current = zero;
    for (int d = 0; d < 6; ++d) {  // unrolled by the compiler
      float* w = wp[d];
      // a plane without links of a z direction (faces; groups: all but every
      // g-th plane) skips it: the same branch every time, so it costs nothing
      const bool linked = d < 4 || k.live_z[d - 4] != 0;
      if (!kGather && !linked) continue;
      __m512 wv = wvs[d];
      if (linked) {
        __mmask16 live;
        if (d < 4 || kSparseZ) {
          const __m128i l8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(lp[d] + (i - begin)));
          live = _mm_test_epi8_mask(l8, l8);
        } else {
          live = k.live_z[d - 4];
        }
        const __mmask16 change = static_cast<__mmask16>((post | pre[d]) & live);
        __m512 pot = _mm512_mul_ps(a_plus[d], xjs[d]);
        __m512 dep = _mm512_mul_ps(a_minus[d], yi);
        if constexpr (kMultiplicative) {
          pot = _mm512_mul_ps(pot, _mm512_sub_ps(w_max[d], wv));
          dep = _mm512_mul_ps(dep, wv);
        }
        // stdp_link multiplies by 1 or 0; selecting the term or +0 gives the
        // same weight: dep >= 0, so dep * 0 is +0; pot * 0 is -0 only when
        // pot < 0 (multiplicative, w above a lowered w_max), and w + -0 equals
        // w + +0 for every w but -0, which no weight ever is (they start at
        // +0 or above and the clamp maps -0 nowhere: v = -0 needs w = -0)
        pot = _mm512_maskz_mov_ps(post, pot);
        dep = _mm512_maskz_mov_ps(pre[d], dep);
        __m512 v = _mm512_sub_ps(_mm512_add_ps(wv, pot), dep);
        // std::clamp(v, 0, w_max) for v neither NaN (finite traces and rates)
        // nor -0 (above): max(v, 0) then min(., w_max)
        // (the maskz forms with all lanes: g++ 12's plain max/min intrinsics warn)
        v = _mm512_maskz_min_ps(all, _mm512_maskz_max_ps(all, v, zero), w_max[d]);
        _mm512_mask_storeu_ps(w + i, change, v);
        if constexpr (kGather) wv = _mm512_mask_mov_ps(wv, change, v);
      }
      if constexpr (kGather) {
        // g_d * (w * s_j) as gather_range computes it: w * 1 is w, and w * 0
        // is +0 for the non-negative weights; a gain of 1 changes nothing
        const __m512 ws = _mm512_maskz_mov_ps(pre[d], wv);
        const __m512 term = unit_gain[d] ? ws : _mm512_mul_ps(gain[d], ws);
        current = d == 0 ? term : _mm512_add_ps(current, term);
      }
    }
    if constexpr (kGather) _mm512_storeu_ps(k.c + (i - begin), current);
  }
  // the last few targets one at a time
  for (; i < end; ++i) {
    const bool si = s[i] != 0;
    float current = 0.0f;
    for (int d = 0; d < 6; ++d) {
      const bool sj = s[i - k.off[d]] != 0;
      const bool live =
          d < 4 ? k.live[d][i - begin] != 0 : k.live_z[d - 4] != 0 && (!kSparseZ || k.live[d][i - begin] != 0);
      if ((si || sj) && live) {
        const LinkRule r{k.rule[d].a_plus, k.rule[d].a_minus, k.rule[d].w_max, kMultiplicative};
        k.w[d][i] = stdp_link(k.w[d][i], std::fabs(k.x[d][i]), std::fabs(y[i]), sj, si, r);
      }
      if constexpr (kGather) {
        const float term = k.g[d] * (k.w[d][i] * (sj ? 1.0f : 0.0f));
        current = d == 0 ? term : current + term;
      }
    }
    if constexpr (kGather) k.c[i - begin] = current;
  }
}
#endif

}  // namespace
struct CubeModel::Kernel {
  RowArgs args;
  IntegrateFn integrate;
};

CubeModel::CubeModel(const Config& cfg, RankComm& comm)
    : p_(LatticeParams::from(cfg, 1, lattice_slab(cfg, comm.rank(), comm.size()))), comm_(&comm), pool_(cfg.threads) {
  const auto N = static_cast<std::size_t>(p_.count);
  // initial weights U(lo, hi), one counter-based stream per direction, so a
  // link's weight does not depend on the lattice's thread partition
  for (int d = 0; d < kDirections; ++d) {
    auto& w = st_.w[static_cast<std::size_t>(d)];
    w.assign(N, 0.0f);
    const std::uint64_t key = rng::key(p_.seed, Stream::kInitLattice, static_cast<std::uint64_t>(d));
    const double lo = cfg.w_init_lo, span = cfg.w_init_hi - cfg.w_init_lo;
    for (int z = 0; z < p_.depth; ++z)
      for (int y = 0; y < p_.n; ++y)
        for (int x = 0; x < p_.n; ++x) {
          if (!has_link(d, x, y, z)) continue;
          const std::int64_t i = index(x, y, z);
          if (!p_.link_exists(d, i)) continue;  // removed by lattice.density_*
          const double u = span > 0 ? rng::uniform(key, static_cast<std::uint64_t>(i + p_.first_index)) : 0.0;
          w[static_cast<std::size_t>(i)] =
              static_cast<float>(std::min(lo + span * u, p_.plane[static_cast<std::size_t>(z)].w_max));
        }
  }
  st_.v.assign(N, 0.0f);
  if (p_.neuron.rule == ThresholdRule::kHomeostatic) {
    st_.theta.resize(N);  // each layer's theta_init ([[override]])
    for (std::int64_t z = 0; z < p_.depth; ++z)
      std::fill_n(st_.theta.begin() + z * p_.nn, p_.nn, p_.plane[static_cast<std::size_t>(z)].neuron.theta_init);
  }
  if (p_.neuron.rule == ThresholdRule::kAdaptive) st_.theta.assign(N, 0.0f);
  if (p_.any_refractory) st_.refr.assign(N, 0);
  if (p_.normalize) record_initial_sums();
  lateral_.build(p_);
  lateral_.init_weights(p_, cfg.w_init_lo, cfg.w_init_hi, st_.w_lateral);
  if (!lateral_.empty()) lateral_current_.assign(N, 0.0f);
  // padding lets the STDP read a neighbour's pre trace across any y or x
  // face without bounds checks; next to another rank's plane it holds that
  // plane (the halo)
  const bool halo = p_.below || p_.above;
  st_.tpad = halo ? p_.nn + 64 : p_.n + 64;
  st_.trace_pre.assign(N + 2 * static_cast<std::size_t>(st_.tpad), 0.0f);
  if (p_.two_traces) st_.trace_post.assign(N, 0.0f);
  // padding lets the gather read i +- n*n and the spike scan read whole
  // 8-byte words without bounds checks; padding bytes stay 0
  st_.pad = p_.nn + 64;
  for (auto& s : st_.spk) s.assign(N + 2 * static_cast<std::size_t>(st_.pad), 0);
  st_.row_pad = halo ? p_.n : 0;  // the halo planes' rows, for the STDP's test for spikes nearby
  for (auto& rs : st_.row_spikes) rs.assign(static_cast<std::size_t>(p_.rows + 2 * st_.row_pad), 0);
  plane_spikes_.assign(static_cast<std::size_t>(p_.slab.total), 0);
  st_.output.assign(static_cast<std::size_t>(p_.nn), 0);
  // input points of as many frames as activity takes to cross the lattice
  history_frames_ = (p_.slab.total - 1) / p_.substeps + 1;
  st_.history.assign(static_cast<std::size_t>(history_frames_), 0);  // that many frames without points
  bad_.assign(static_cast<std::size_t>(pool_.size()), 0);
  candidates_.resize(static_cast<std::size_t>(pool_.size()));
  scratch_.resize(static_cast<std::size_t>(pool_.size()));
  make_parts();
  drive_.assign(static_cast<std::size_t>(p_.nn), 0);
  readout_on_ = cfg.readout_enabled;
  if (cfg.readout_enabled && !p_.above) {  // the last rank holds every readout layer (lattice_slab)
    const int k = cfg.readout_layers;
    readout_first_ = (static_cast<std::int64_t>(p_.depth) - k) * p_.nn;
    readout_ =
        std::make_unique<Readout>(p_.n, static_cast<std::int64_t>(k) * p_.nn, face_points(p_.n, k), cfg, p_.seed);
    seen_.assign(static_cast<std::size_t>(k * p_.nn), 0);
  }
}

CubeModel::~CubeModel() {
  try {
    finish_halo();  // no transfer may still write into the arrays
  } catch (...) {
  }
}

void CubeModel::update_params(const Config& cfg) {
  settle();  // the last step's STDP runs under the rules it was taken with
  // sizes, seed, threshold rule and link period are fixed for a model's
  // life; the trace layout and the refractory array follow the new rules
  const bool two = cfg.tau_plus != cfg.tau_minus;
  if (two && !p_.two_traces) {  // the shared trace was both (less the spike sign bit)
    st_.trace_post.resize(static_cast<std::size_t>(p_.count));
    for (std::size_t i = 0; i < st_.trace_post.size(); ++i) st_.trace_post[i] = std::fabs(pre_trace()[i]);
  }
  if (!two && p_.two_traces) st_.trace_post.clear();  // the traces merge: keep the pre trace
  LatticeParams next = LatticeParams::from(cfg, p_.link_period, p_.slab);
  if (next.any_refractory != !st_.refr.empty())
    st_.refr.assign(next.any_refractory ? static_cast<std::size_t>(p_.count) : 0, 0);
  p_ = std::move(next);
  if (readout_) readout_->set_rates(cfg.eta_out, cfg.tau_out);
}

float* CubeModel::Part::currents(std::int64_t row, std::int64_t n) {
  if (row < head_end) return head.data() + (row - begin) * n;
  if (row >= tail_begin) return tail.data() + (row - tail_begin) * n;
  return ring.data() + ((row - head_end) % ring_rows) * n;
}

void CubeModel::make_parts() {
  const int workers = pool_.size();
  const std::int64_t n = p_.n;
  // the largest divisor of n with at most about kBlock neurons per block
  block_rows_ = 1;
  for (std::int64_t b = 1; b <= std::max<std::int64_t>(1, kBlock / n); ++b)
    if (n % b == 0) block_rows_ = b;
  const std::int64_t blocks = p_.rows / block_rows_;
  ones_.assign(static_cast<std::size_t>(block_rows_ * n + 16), 1);
  parts_.assign(static_cast<std::size_t>(workers), {});
  for (int t = 0; t < workers; ++t) {
    Part& p = parts_[static_cast<std::size_t>(t)];
    const auto [bb, be] = ThreadPool::partition(blocks, workers, t);
    p.begin = bb * block_rows_;
    p.end = be * block_rows_;
    // rows whose old traces a neighbouring worker's STDP reads: one plane
    p.head_end = p.begin > 0 ? std::min(p.begin + n, p.end) : p.begin;
    p.tail_begin = p.end < p_.rows ? std::max(p.end - n, p.head_end) : p.end;
    // in flight between gather and integration: up to n + 2 blocks of rows;
    // a multiple of block_rows_ (which divides n), so no block wraps around
    p.ring_rows = n + 2 * block_rows_;
    p.head.assign(static_cast<std::size_t>((p.head_end - p.begin) * n), 0.0f);
    p.tail.assign(static_cast<std::size_t>((p.end - p.tail_begin) * n), 0.0f);
    p.ring.assign(static_cast<std::size_t>(std::min(p.ring_rows, p.tail_begin - p.head_end) * n), 0.0f);
  }
}

void CubeModel::set_link_period(int p) {
  settle();
  p_.set_link_period(p);
  // the links that no longer exist hold 0 (before the initial sums are taken)
  for (int d = 0; d < kDirections; ++d) {
    auto& w = st_.w[static_cast<std::size_t>(d)];
    for (std::int64_t i = 0; i < p_.count; ++i)
      if (!p_.link_exists(d, i)) w[static_cast<std::size_t>(i)] = 0.0f;
  }
  if (p_.normalize) record_initial_sums();
}

void CubeModel::record_initial_sums() {
  w_sum0_.assign(static_cast<std::size_t>(p_.count), 0.0f);
  for (std::size_t i = 0; i < w_sum0_.size(); ++i)
    for (const auto& w : st_.w) w_sum0_[i] += w[i];
}

// stdp.normalize: every neuron of rows [r0, r1) has its lattice in-link
// weights scaled so that their sum (in direction order) is the initial one,
// each clipped to w_max; a neuron without in-link weight keeps none. One
// plain loop for both STDP kernels, so they stay bit-identical.
void CubeModel::normalize_rows(std::int64_t r0, std::int64_t r1) const {
  const std::int64_t b = r0 * p_.n, e = r1 * p_.n;
  const PlaneRules& plane = p_.plane[static_cast<std::size_t>(r0 / p_.n)];
  std::array<float*, kDirections> w{};
  for (int d = 0; d < kDirections; ++d) w[static_cast<std::size_t>(d)] = st_.w[static_cast<std::size_t>(d)].data();
  for (std::int64_t i = b; i < e; ++i) {
    float sum = 0.0f;
    for (float* wd : w) sum += wd[i];
    if (!(sum > 0.0f)) continue;
    const float scale = w_sum0_[static_cast<std::size_t>(i)] / sum;
    for (std::size_t d = 0; d < w.size(); ++d) w[d][i] = std::min(w[d][i] * scale, plane.rule[d].w_max);
  }
}

// A direction is swept over the block only when it has links there and the
// block or the rows its sources lie in had a spike. With c, the AVX-512
// kernel may also sum the block's currents (the gather phase) from the
// weights it updates: the return value says whether it did. (Not with
// stdp.normalize, which changes the weights again afterwards.)
bool CubeModel::stdp_rows(std::int64_t r0, std::int64_t r1, int buffer, float* c) const {
  if (!p_.plane[static_cast<std::size_t>(r0 / p_.n)].plastic) return false;
  const bool gathered = stdp_links(r0, r1, buffer, p_.normalize ? nullptr : c);
  if (p_.normalize) normalize_rows(r0, r1);
  return gathered;
}

bool CubeModel::stdp_links(std::int64_t r0, std::int64_t r1, int buffer, float* c) const {
  const std::uint8_t* s = st_.spk[static_cast<std::size_t>(buffer)].data() + st_.pad;
  const std::int32_t* rs = st_.row_counts(buffer);
  const float* x = pre_trace();
  const float* y = post_trace();
  const std::int64_t n = p_.n, nn = p_.nn, z = r0 / n;
  const std::int64_t lo = p_.below ? -n : 0, rows = p_.rows + (p_.above ? n : 0);  // counted rows, halo included
  const std::int64_t b = r0 * n, e = r1 * n;
  const unsigned zbits = p_.z_links[static_cast<std::size_t>(z)];
  const PlaneRules& plane = p_.plane[static_cast<std::size_t>(z)];
  const std::array<std::int64_t, kDirections> off = {1, -1, n, -n, nn, -nn};   // neurons from source to target
  const std::array<std::int64_t, kDirections> row_off = {0, 0, 1, -1, n, -n};  // rows from source to target
  std::int64_t own = 0;
  for (std::int64_t r = r0; r < r1; ++r) own += rs[r];
#if SPIKECUBE_STDP_AVX512
  if (!portable_kernels) {
    std::int64_t near = 0;
    const std::int64_t near_begin = std::max<std::int64_t>(lo, r0 - n), near_end = std::min(rows, r1 + n);
    for (std::int64_t r = near_begin; r < near_end; ++r) near += rs[r];
    if (near == 0) return false;
    // below 1% firing around the block, most runs of 16 targets are quiet
    // (measured at 48^3, 3% firing: the test costs 3-4% more than it saves)
    const bool sparse_spikes = near * 100 < (near_end - near_begin) * n;
    SixWay k{};
    k.c = c;
    for (int d = 0; d < kDirections; ++d) {
      const auto du = static_cast<std::size_t>(d);
      const bool has = d < kZp || ((zbits >> d) & 1u) != 0;
      k.w[d] = st_.w[du].data();
      k.off[d] = off[du];
      k.x[d] = has ? x - off[du] : x;  // without links the value is unused; keep the pointer in bounds
      k.rule[d] = plane.rule[du];
      k.g[d] = plane.gain[du];
      const auto& sparse = p_.sparse[du];
      k.live[d] = !sparse.empty() ? sparse.data() + b : d < kZp ? p_.plane_links[du].data() + (b - z * nn) : nullptr;
      if (d >= kZp) k.live_z[d - kZp] = has ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>(0);
    }
    const bool sparse_z = !p_.sparse[kZp].empty() || !p_.sparse[kZm].empty();
    if (sparse_z)  // a dense z direction reads its plane's all-ones mask
      for (int d = kZp; d <= kZm; ++d)
        if (k.live[d] == nullptr) k.live[d] = ones_.data();
    // the multiplicative flag is shared by all directions (LatticeParams::from)
    auto run = [&]<bool kMul, bool kSparse>() {
      if (sparse_spikes) {
        if (c != nullptr) stdp_six<kMul, kSparse, true, true>(k, s, y, b, e);
        else stdp_six<kMul, kSparse, false, true>(k, s, y, b, e);
      } else {
        if (c != nullptr) stdp_six<kMul, kSparse, true, false>(k, s, y, b, e);
        else stdp_six<kMul, kSparse, false, false>(k, s, y, b, e);
      }
    };
    if (plane.rule[0].multiplicative) {
      if (sparse_z) run.template operator()<true, true>();
      else run.template operator()<true, false>();
    } else {
      if (sparse_z) run.template operator()<false, true>();
      else run.template operator()<false, false>();
    }
    return c != nullptr;
  }
#else
  (void)c;
#endif
  for (int d = 0; d < kDirections; ++d) {
    const auto du = static_cast<std::size_t>(d);
    const bool along_z = d == kZp || d == kZm;
    if (along_z && ((zbits >> d) & 1u) == 0) continue;
    // spikes in the source rows (clipped to the lattice: rows off it have no links)
    std::int64_t sources = 0;
    if (own == 0 && d >= kYp)
      for (std::int64_t r = std::max<std::int64_t>(lo, r0 - row_off[du]); r < std::min(rows, r1 - row_off[du]); ++r)
        sources += rs[r];
    if (own == 0 && sources == 0) continue;
    float* w = st_.w[du].data();
    const LinkRule& rule = plane.rule[du];
    const auto& sparse = p_.sparse[du];
    if (!sparse.empty()) {
      if (rule.multiplicative) stdp_span<true, true>(w, s, x, y, b, e, off[du], sparse.data() + b, rule);
      else stdp_span<true, false>(w, s, x, y, b, e, off[du], sparse.data() + b, rule);
    } else if (along_z) {
      if (rule.multiplicative) stdp_span<false, true>(w, s, x, y, b, e, off[du], nullptr, rule);
      else stdp_span<false, false>(w, s, x, y, b, e, off[du], nullptr, rule);
    } else {
      const std::uint8_t* live = p_.plane_links[du].data() + (b - z * nn);
      if (rule.multiplicative) stdp_span<true, true>(w, s, x, y, b, e, off[du], live, rule);
      else stdp_span<true, false>(w, s, x, y, b, e, off[du], live, rule);
    }
  }
  return false;
}

void CubeModel::settle() const {
  finish_halo();  // the STDP of the slab's faces reads the neighbours' planes
  if (!st_.stdp_pending) return;
  st_.stdp_pending = false;
  for (std::int64_t r = 0; r < p_.rows; r += block_rows_) stdp_rows(r, r + block_rows_, st_.cur, nullptr);
}

// ---------------------------------------------------------------------------
// The step. docs/architecture.md describes these phases under the same names.

std::span<const std::string_view> CubeModel::phase_names() {
  static constexpr std::array<std::string_view, 14> kNames = {
      "drive_input",      "group_currents", "lateral_currents", "inhibition", "deferred_stdp",
      "gather",           "add_input",      "integrate",        "winners",    "lateral_plasticity",
      "group_plasticity", "tally_spikes",   "readout",          "metrics"};
  return kNames;
}

// One input frame: the input, lattice.substeps neural steps, then the
// readout and the metrics of the frame.
void CubeModel::step(const StepInput& in) {
  drive_input(in);
  active_.clear();
  for (int sub = 0; sub < p_.substeps; ++sub) neural_step(st_.frames() * p_.substeps + sub + 1);
  ++st_.frames();
  readout(in);
  metrics(in);
}

// One neural step. lattice_pass runs the per-block phases deferred_stdp,
// gather, add_input and integrate in one streaming pass over the lattice.
void CubeModel::neural_step(std::int64_t neural_step) {
  group_currents();
  lateral_currents();
  inhibition();
  lattice_pass(neural_step);
  winners();
  lateral_plasticity();
  group_plasticity();
  tally_spikes();
  start_halo();  // overlaps the readout, the metrics and the next step's first phases
}

// Phase drive_input: the pixels of face z = 0 driven this frame, the lit
// pixels dilated by stimulus.patch_radius.
void CubeModel::drive_input(const StepInput& in) {
  const Frame& x = *in.input;
  const int n = p_.n, r_in = p_.patch_radius;
  std::fill(drive_.begin(), drive_.end(), std::uint8_t{0});
  drive_any_ = false;
  for (int py = 0; py < n; ++py)
    for (int px = 0; px < n; ++px) {
      if (!x[static_cast<std::size_t>(py * n + px)]) continue;
      drive_any_ = true;
      for (int yy = std::max(0, py - r_in); yy <= std::min(n - 1, py + r_in); ++yy)
        for (int xx = std::max(0, px - r_in); xx <= std::min(n - 1, px + r_in); ++xx)
          drive_[static_cast<std::size_t>(yy * n + xx)] = 1;
    }
}

// Phase group_currents: the current of the added phases (groups), computed
// before the pass while spikes() still holds the last step's spikes.
void CubeModel::group_currents() { extra_current_ = phases_ != nullptr ? phases_->group_currents() : nullptr; }

// Phase lateral_currents: the current of the wider lateral links from the
// last step's spikes (spikes() still holds them).
void CubeModel::lateral_currents() {
  if (!lateral_.empty()) lateral_.currents(p_, st_.w_lateral, spikes(), lateral_current_.data(), pool_);
}

// Phase lateral_plasticity: their STDP, with this step's spikes and the
// traces before them (as group_plasticity).
void CubeModel::lateral_plasticity() {
  if (!lateral_.empty()) lateral_.plasticity(p_, st_.w_lateral, spikes(), pre_trace(), post_trace(), pool_);
}

std::int64_t CubeModel::unit_of(std::int64_t i) const {
  if (p_.inhibition == LatticeParams::Inhibition::kLayer) return i / p_.nn;
  const std::int64_t g = p_.group, per = p_.n / g;
  const std::int64_t z = i / p_.nn, y = (i / p_.n) % p_.n, x = i % p_.n;
  return ((z / g) * per + y / g) * per + x / g;
}

// Phase inhibition: the inhibitory current of each layer or group,
// inhibition.gain times the fraction of it that spiked in the last step
// (spikes() still holds them).
void CubeModel::inhibition() {
  inhibit_on_ = p_.inhibition != LatticeParams::Inhibition::kNone && p_.inhibition_gain > 0.0f;
  if (!inhibit_on_) return;
  const bool layers = p_.inhibition == LatticeParams::Inhibition::kLayer;
  const std::int64_t g = p_.group;
  const std::int64_t units = layers ? p_.depth : (p_.n / g) * (p_.n / g) * (p_.depth / g);
  const double size = static_cast<double>(layers ? p_.nn : g * g * g);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(units), 0);
  if (layers) {
    const std::int32_t* rs = st_.row_counts(st_.cur);
    for (std::int64_t r = 0; r < p_.rows; ++r)
      counts[static_cast<std::size_t>(r / p_.n)] += rs[static_cast<std::size_t>(r)];
  } else {
    const std::uint8_t* sp = spikes();
    for (std::int64_t i = 0; i < p_.count; ++i) counts[static_cast<std::size_t>(unit_of(i))] += sp[i];
  }
  inhibit_.resize(counts.size());
  for (std::size_t u = 0; u < counts.size(); ++u)
    inhibit_[u] = -static_cast<float>(static_cast<double>(p_.inhibition_gain) * static_cast<double>(counts[u]) / size);
}

// The per-block phases in one streaming pass: each worker runs
// deferred_stdp, gather and add_input on its rows block by block
// (pass_part), and integrate one plane behind them, since the deferred STDP
// of a block reads the old traces of the planes next to it; the first and
// last plane of each worker's rows wait for a barrier (finish_part).
void CubeModel::lattice_pass(std::int64_t neural_step) {
  finish_halo();
  st_.cur = 1 - st_.cur;
  Kernel k{};
  RowArgs& a = k.args;
  a.prev = st_.spk[static_cast<std::size_t>(1 - st_.cur)].data() + st_.pad;
  a.out = st_.spikes();
  a.v = st_.v.data();
  a.th = st_.theta.data();
  a.tp = st_.pre_trace();
  a.tm = st_.trace_post.data();
  a.refr = st_.refr.data();
  a.neuron = p_.plane[0].neuron;  // integrate() takes each block's layer
  a.dp = p_.decay_plus;
  a.dm = p_.decay_minus;
  a.nearest = p_.nearest;
  a.noise_key = rng::key32(rng::key(p_.seed, Stream::kNoise, static_cast<std::uint64_t>(neural_step)));
  a.first = p_.first_index;
  k.integrate = pick_integrate(p_.neuron.rule, !st_.refr.empty(), p_.any_noise, p_.two_traces);
  for (auto& c : candidates_) c.clear();
  pool_.run([&](int t) { pass_part(t, k); });
  if (pool_.size() > 1) pool_.run([&](int t) { finish_part(t, k); });
  injected_.clear();
  st_.stdp_pending = p_.any_plastic;
}

// Phase deferred_stdp (per block): the lattice STDP of the last step's
// spikes, from the traces as they stood before them. summed: whether it
// also summed the block's currents into c (the gather's first part).
void CubeModel::deferred_stdp(std::int64_t r0, std::int64_t r1, float* c, bool& summed) {
  summed = st_.stdp_pending && stdp_rows(r0, r1, 1 - st_.cur, c);
}

// Phase gather (per block): currents from the last step's spikes in the
// fixed direction order, then this step's weight decay (after the gather:
// this step's current sees the weights as the last step left them).
// summed: the deferred STDP's kernel has already summed the currents.
void CubeModel::gather(std::int64_t r0, std::int64_t r1, float* c, bool summed) {
  const std::int64_t b = r0 * p_.n, e = r1 * p_.n;
  const float* w[kDirections];
  for (int d = 0; d < kDirections; ++d) w[d] = st_.w[static_cast<std::size_t>(d)].data();
  if (!summed)
    gather_range(st_.spk[static_cast<std::size_t>(1 - st_.cur)].data() + st_.pad, w[0], w[1], w[2], w[3], w[4], w[5],
                 p_.plane[static_cast<std::size_t>(r0 / p_.n)].gain.data(), c, b, e, p_.n, p_.nn);
  if (p_.weight_decay) {
    const float keep = p_.weight_keep;
    for (auto& wd : st_.w)
      for (std::int64_t i = b; i < e; ++i) wd[static_cast<std::size_t>(i)] *= keep;
  }
}

// Phase add_input (per block): the input on face z = 0, then the added
// phases' current, then test injections.
void CubeModel::add_input(std::int64_t r0, std::int64_t r1, float* c) {
  const std::int64_t b = r0 * p_.n, e = r1 * p_.n, nn = p_.nn;
  if (drive_any_ && p_.slab.first == 0 && b < nn) {  // face z = 0 lies on the first rank
    const float g_in = p_.input_gain;
    for (std::int64_t i = b; i < std::min(e, nn); ++i)
      c[i - b] += g_in * static_cast<float>(drive_[static_cast<std::size_t>(i)]);
  }
  if (extra_current_ != nullptr)
    for (std::int64_t i = b; i < e; ++i) c[i - b] += extra_current_[i];
  if (!lateral_current_.empty() && p_.plane[static_cast<std::size_t>(r0 / p_.n)].lateral_radius > 0)
    for (std::int64_t i = b; i < e; ++i) c[i - b] += lateral_current_[static_cast<std::size_t>(i)];
  if (inhibit_on_) {
    if (p_.inhibition == LatticeParams::Inhibition::kLayer) {
      const float inh = inhibit_[static_cast<std::size_t>(r0 / p_.n)];
      for (std::int64_t i = b; i < e; ++i) c[i - b] += inh;
    } else {
      for (std::int64_t i = b; i < e; ++i) c[i - b] += inhibit_[static_cast<std::size_t>(unit_of(i))];
    }
  }
  for (const auto& inj : injected_)
    if (inj.index >= b && inj.index < e) c[inj.index - b] += inj.current;
}

void CubeModel::count_row_spikes(std::int64_t r0, std::int64_t r1) const {
  const std::uint8_t* s = st_.spikes();
  std::int32_t* rs = st_.row_counts(st_.cur);
  for (std::int64_t r = r0; r < r1; ++r) rs[r] = count_row(s + r * p_.n, p_.n);
}

// Phase integrate (per block): the neuron rule with its threshold rule, and
// the STDP traces brought up to date with the last step's spikes.
void CubeModel::integrate(std::int64_t r0, std::int64_t r1, const float* c, int worker, const Kernel& k) {
  bool bad = false;
  const std::int64_t b = r0 * p_.n, e = r1 * p_.n;
  RowArgs a = k.args;
  a.neuron = p_.plane[static_cast<std::size_t>(r0 / p_.n)].neuron;
  const bool wta = p_.inhibition_k > 0 && p_.inhibition != LatticeParams::Inhibition::kNone;
  std::vector<float>& old = scratch_[static_cast<std::size_t>(worker)];
  if (wta) {  // the potentials and thresholds before the step, for winners()
    old.assign(st_.v.begin() + b, st_.v.begin() + e);
    if (!st_.theta.empty()) old.insert(old.end(), st_.theta.begin() + b, st_.theta.begin() + e);
  }
  k.integrate(a, c, b, e, bad);
  if (wta) note_candidates(a.neuron, a.noise_key, c, b, e, old, candidates_[static_cast<std::size_t>(worker)]);
  count_row_spikes(r0, r1);
  if (bad) bad_[static_cast<std::size_t>(worker)] = 1;
}

// First part of the pass for one worker: deferred_stdp, gather and
// add_input block by block, and integrate each middle block once the STDP of
// every row within one plane of it is done.
void CubeModel::pass_part(int worker, const Kernel& k) {
  Part& p = parts_[static_cast<std::size_t>(worker)];
  const std::int64_t n = p_.n;
  std::int64_t next = p.head_end;  // first middle row not yet integrated
  auto integrate_ready = [&](std::int64_t front) {
    while (next < p.tail_begin) {
      const std::int64_t e = std::min(p.tail_begin, next + block_rows_);
      if (front < std::min(e + n, p.end)) break;
      integrate(next, e, p.currents(next, n), worker, k);
      next = e;
    }
  };
  for (const auto& [sb, se] :
       {std::pair{p.begin, p.head_end}, std::pair{p.head_end, p.tail_begin}, std::pair{p.tail_begin, p.end}})
    for (std::int64_t r = sb; r < se; r += block_rows_) {
      const std::int64_t re = std::min(se, r + block_rows_);
      float* c = p.currents(r, n);
      bool summed = false;
      deferred_stdp(r, re, c, summed);
      gather(r, re, c, summed);
      add_input(r, re, c);
      integrate_ready(re);
    }
  integrate_ready(p.end);
}

// Second part: integrate the worker's first and last plane, after every
// worker's deferred STDP (which reads their old traces).
void CubeModel::finish_part(int worker, const Kernel& k) {
  Part& p = parts_[static_cast<std::size_t>(worker)];
  for (const auto& [sb, se] : {std::pair{p.begin, p.head_end}, std::pair{p.tail_begin, p.end}})
    for (std::int64_t r = sb; r < se; r += block_rows_) {
      const std::int64_t re = std::min(se, r + block_rows_);
      integrate(r, re, p.currents(r, p_.n), worker, k);
    }
}

// The neurons of [b, e) that spiked, as candidates of k-WTA: the potential
// they integrated (recomputed by the kernel's arithmetic from the potential
// before the step, old[0, e - b), and the same current) over their
// threshold, and what winners() needs to undo the spike.
void CubeModel::note_candidates(const NeuronParams& np, std::uint32_t noise_key, const float* c, std::int64_t b,
                                std::int64_t e, const std::vector<float>& old, std::vector<Candidate>& out) const {
  const std::uint8_t* spiked = st_.spikes();
  const std::size_t m = static_cast<std::size_t>(e - b);
  for (std::int64_t i = b; i < e; ++i) {
    if (!spiked[i]) continue;
    const auto x = static_cast<std::size_t>(i - b);
    float drive = c[x] + np.bias;
    if (p_.any_noise)
      drive += np.noise * rng::fast_normal(noise_key, static_cast<std::uint32_t>(i + p_.first_index));
    const float vi = np.rho * old[x] + drive;
    const float th_old = st_.theta.empty() ? 0.0f : old[m + x];
    const float theta = effective_threshold(np, th_old);
    out.push_back({unit_of(i), i, vi / std::max(theta, 1e-30f), vi, th_old});
  }
}

// Phase winners (inhibition.k > 0): in each layer or group, only the k
// spikes with the highest v/theta stand (ties: the lower index); the others
// are undone: no spike, the potential as integrated, no refractory period,
// the threshold rule as for a silent step. The choice sees the whole unit,
// so it does not depend on the thread partition.
void CubeModel::winners() {
  if (p_.inhibition_k <= 0 || p_.inhibition == LatticeParams::Inhibition::kNone) return;
  std::vector<Candidate>& all = candidates_[0];
  for (std::size_t t = 1; t < candidates_.size(); ++t)
    all.insert(all.end(), candidates_[t].begin(), candidates_[t].end());
  std::sort(all.begin(), all.end(), [](const Candidate& l, const Candidate& r) {
    if (l.unit != r.unit) return l.unit < r.unit;
    if (l.score != r.score) return l.score > r.score;
    return l.index < r.index;
  });
  std::uint8_t* out = st_.spikes();
  float* tp = st_.pre_trace();
  std::int32_t* rs = st_.row_counts(st_.cur);
  std::int64_t rank = 0;
  for (std::size_t q = 0; q < all.size(); ++q) {
    rank = q > 0 && all[q].unit == all[q - 1].unit ? rank + 1 : 0;
    if (rank < p_.inhibition_k) continue;
    const Candidate& c = all[q];
    const auto i = static_cast<std::size_t>(c.index);
    const NeuronParams& np = p_.plane[static_cast<std::size_t>(c.index / p_.nn)].neuron;
    out[i] = 0;
    st_.v[i] = c.v;
    if (!st_.refr.empty()) st_.refr[i] = 0;  // it was not refractory, or it could not have spiked
    if (!st_.theta.empty()) {
      switch (np.rule) {
        case ThresholdRule::kHomeostatic:
          st_.theta[i] = threshold_after<ThresholdRule::kHomeostatic>(np, c.theta, false);
          break;
        case ThresholdRule::kAdaptive:
          st_.theta[i] = threshold_after<ThresholdRule::kAdaptive>(np, c.theta, false);
          break;
        case ThresholdRule::kFixed: break;
      }
    }
    tp[i] = std::fabs(tp[i]);  // the sign bit is the spike
    --rs[c.index / p_.n];
  }
}

// Phase group_plasticity: the added phases' STDP (groups: intra-group links),
// after the lattice pass, with spikes() holding this step's spikes.
void CubeModel::group_plasticity() {
  if (p_.plastic && phases_ != nullptr) phases_->group_plasticity();
}

// Phase tally_spikes: the step's spike count, and the readout neurons that
// spiked (the readout sees any spike of the frame's substeps).
void CubeModel::tally_spikes() {
  std::int64_t total = 0;
  const std::int32_t* rs = st_.row_counts(st_.cur);
  for (std::int64_t r = 0; r < p_.rows; ++r) total += rs[r];
  local_spikes_ = total;
  st_.last_spikes = total;  // the whole lattice's after metrics()
  if (!readout_) return;
  const std::uint8_t* s = st_.spikes() + readout_first_;
  const auto sources = static_cast<std::int64_t>(seen_.size());
  for (std::int64_t j = 0; j < sources; ++j) {
    if (s[j] && !seen_[static_cast<std::size_t>(j)]) {
      seen_[static_cast<std::size_t>(j)] = 1;
      active_.push_back(static_cast<std::int32_t>(j));
    }
  }
}

// Phase readout: prediction of the next frame from the frame's readout
// spikes, and the delta rule towards the target.
void CubeModel::readout(const StepInput& in) {
  if (readout_) {
    for (std::int32_t j : active_) seen_[static_cast<std::size_t>(j)] = 0;
    std::sort(active_.begin(), active_.end());  // fixed summation order in the readout
    readout_->predict(active_, st_.output);
    if (in.learn) readout_->learn(active_, st_.output, *in.target);
  }
  // every rank's output frame is the last rank's (the Simulation's metrics)
  if (readout_on_ && comm_->size() > 1)
    comm_->broadcast(comm_->size() - 1, std::as_writable_bytes(std::span(st_.output)));
}

void CubeModel::push_history(std::span<const Point> points) {
  // into a second buffer, swapped in: no allocation once both have grown
  std::vector<std::int64_t>& h = history_next_;
  h.clear();
  h.push_back(static_cast<std::int64_t>(points.size()));
  for (const Point& p : points) h.insert(h.end(), {p.x, p.y});
  // the older frames, less the oldest
  std::size_t pos = 0;
  for (std::int64_t f = 1; f < history_frames_ && pos < st_.history.size(); ++f)
    pos += 1 + 2 * static_cast<std::size_t>(st_.history[pos]);
  h.insert(h.end(), st_.history.begin(), st_.history.begin() + static_cast<std::ptrdiff_t>(pos));
  st_.history.swap(h);
  frame_at_.clear();  // where each frame starts, newest first
  for (std::size_t q = 0; q < st_.history.size(); q += 1 + 2 * static_cast<std::size_t>(st_.history[q]))
    frame_at_.push_back(q);
}

// Phase metrics: focus and focus_lagged (spikes near the input points of
// now and of the frame whose activity each layer shows), runaway firing.
void CubeModel::metrics(const StepInput& in) {
  push_history(in.input_points);
  // the counts of the whole lattice: each rank's, summed over the ranks
  // (integers, exact in any order); the rates are derived from the sums
  const auto [now, lagged] = focus_hits();
  tally_.assign(4 + plane_spikes_.size(), 0);
  tally_[0] = local_spikes_;
  tally_[1] = now;
  tally_[2] = lagged;
  for (std::uint8_t b : bad_) tally_[3] |= b;
  const std::int32_t* rs = st_.row_counts(st_.cur);
  for (std::int64_t r = 0; r < p_.rows; ++r)
    tally_[4 + static_cast<std::size_t>(p_.slab.first + r / p_.n)] += rs[r];
  comm_->sum(tally_);
  st_.last_spikes = tally_[0];
  nonfinite_ = tally_[3] != 0;
  std::copy(tally_.begin() + 4, tally_.end(), plane_spikes_.begin());
  st_.runaway_frames() =
      runaway::update(st_.runaway_frames(), firing_rate(), p_.neuron.refractory, kLatticeRunawayRate);
  st_.focus = {0.0, 0.0};
  if (st_.last_spikes == 0) return;
  st_.focus = {static_cast<double>(tally_[1]) / static_cast<double>(st_.last_spikes),
               static_cast<double>(tally_[2]) / static_cast<double>(st_.last_spikes)};
}

// focus and focus_lagged's counts in this rank's slab: spikes near the input
// points of now, and of the frame whose activity each layer shows
std::pair<std::int64_t, std::int64_t> CubeModel::focus_hits() const {
  if (local_spikes_ == 0) return {0, 0};
  const int n = p_.n;
  const std::uint8_t* s = spikes();
  const std::int32_t* rows = st_.row_counts(st_.cur);
  const std::int64_t* hist = st_.history.data();
  // spikes of layer z within radius 3 (in x and y) of any of the points of
  // the frame `ago` frames back: walk each point's 7 x 7 box, skipping cells
  // an earlier point's box covers
  auto near = [&](int z, std::size_t ago) {
    const std::int64_t* pts = hist + frame_at_[ago] + 1;  // x, y pairs
    const auto count = static_cast<std::size_t>(pts[-1]);
    auto px = [&](std::size_t k) { return static_cast<int>(pts[2 * k]); };
    auto py = [&](std::size_t k) { return static_cast<int>(pts[2 * k + 1]); };
    std::int64_t hits = 0;
    for (std::size_t k = 0; k < count; ++k) {
      for (int y = std::max(0, py(k) - kFocusRadius); y <= std::min(n - 1, py(k) + kFocusRadius); ++y) {
        if (rows[static_cast<std::size_t>(z * n + y)] == 0) continue;
        for (int x = std::max(0, px(k) - kFocusRadius); x <= std::min(n - 1, px(k) + kFocusRadius); ++x) {
          if (!s[index(x, y, z)]) continue;
          bool counted = false;
          for (std::size_t q = 0; q < k && !counted; ++q)
            counted = std::abs(x - px(q)) <= kFocusRadius && std::abs(y - py(q)) <= kFocusRadius;
          hits += counted ? 0 : 1;
        }
      }
    }
    return hits;
  };
  std::int64_t now = 0, lagged = 0;
  for (int z = 0; z < p_.depth; ++z) {
    now += near(z, 0);
    // activity travels one layer per neural step: layer z (global) shows the
    // input of z / substeps frames ago
    lagged += near(z, static_cast<std::size_t>((z + p_.slab.first) / p_.substeps));
  }
  return {now, lagged};
}

// ---------------------------------------------------------------------------

void CubeModel::layer_rates(std::vector<double>& out) const {
  out.assign(plane_spikes_.size(), 0.0);
  for (std::size_t z = 0; z < out.size(); ++z)
    out[z] = static_cast<double>(plane_spikes_[z]) / static_cast<double>(p_.nn);
}

Health CubeModel::health() const {
  if (nonfinite_) return Health::kNonFinite;
  if (runaway::steps(st_.runaway_frames()) >= kLatticeRunawayFrames) return Health::kRunaway;
  return Health::kOk;
}

void CubeModel::view(NeuronView& out, int max_neurons) const {
  const int n = p_.n, depth = p_.depth;
  int stride = 1;
  auto shown = [&](int s) {
    const std::int64_t a = (n + s - 1) / s, b = (depth + s - 1) / s;
    return a * a * b;
  };
  while (max_neurons > 0 && shown(stride) > max_neurons && stride < std::max(n, depth)) ++stride;
  out.stride = stride;
  out.dims = {(n + stride - 1) / stride, (n + stride - 1) / stride, (depth + stride - 1) / stride};
  const auto m = static_cast<std::size_t>(out.dims.count());
  out.potential.resize(m);
  out.spiked.resize(m);
  const std::uint8_t* s = spikes();
  const bool has_theta = !st_.theta.empty();
  std::size_t k = 0;
  for (int z = 0; z < depth; z += stride)
    for (int y = 0; y < n; y += stride)
      for (int x = 0; x < n; x += stride, ++k) {
        const auto i = static_cast<std::size_t>(index(x, y, z));
        const float theta =
            effective_threshold(p_.plane[static_cast<std::size_t>(z)].neuron, has_theta ? st_.theta[i] : 0.0f);
        out.potential[k] = st_.v[i] / std::max(theta, 1e-6f);
        out.spiked[k] = s[i];
      }
}

FieldList CubeModel::field_list() const {
  // one list serves the writers (load) and the readers (save, hash, bytes);
  // the const callers only read through it
  auto* self = const_cast<CubeModel*>(this);
  return [self](FieldVisitor& v) { self->visit_state(v); };
}

void CubeModel::visit_state(FieldVisitor& v) {
  st_.fields(v, p_.count);
  if (phases_ != nullptr) phases_->fields(v);
  if (readout_) readout_->fields(v, "cube.");
  else if (readout_on_) v.field("cube.w_out", std::span<float>(), FieldRole::kFrame);  // on the last rank
}

std::size_t CubeModel::state_bytes() const {
  // the registered per-step arrays, plus what the step also touches: the
  // padding of the traces and spikes, the second spike buffer, the spike
  // counts per row and the link masks
  const auto N = static_cast<std::size_t>(p_.count);
  std::size_t b = step_bytes(field_list());
  b += 2 * static_cast<std::size_t>(st_.tpad) * sizeof(float);
  for (const auto& s : st_.spk) b += s.size();
  b -= N;  // spikes() is one of the buffers above
  for (const auto& rs : st_.row_spikes) b += rs.size() * sizeof(std::int32_t);
  for (const auto& live : p_.plane_links) b += live.size();
  b += p_.z_links.size();
  for (const auto& mask : p_.sparse) b += mask.size();
  b += w_sum0_.size() * sizeof(float);
  if (phases_ != nullptr) b += phases_->work_bytes();
  return b;
}

void CubeModel::save(StateArchive& a) const {
  settle();
  save_fields(field_list(), a);
}

void CubeModel::load(const StateArchive& a) {
  // checkpoints from before the wider lateral links lack their array; it is
  // empty in a model without them
  if (lateral_.empty() && a.f32.find("cube.w_lateral") == a.f32.end()) {
    StateArchive with = a;
    with.f32["cube.w_lateral"] = {};
    load(with);
    return;
  }
  // validate everything before touching the model
  const FieldList fields = field_list();
  agree_on([&] { check_loaded(fields, a); });
  finish_halo();
  load_fields(fields, a);
  std::fill(plane_spikes_.begin(), plane_spikes_.end(), 0);
  count_row_spikes(0, p_.rows);
  const std::int32_t* rs = st_.row_counts(st_.cur);
  local_spikes_ = 0;
  for (std::int64_t r = 0; r < p_.rows; ++r) {
    local_spikes_ += rs[r];
    plane_spikes_[static_cast<std::size_t>(p_.slab.first + r / p_.n)] += rs[r];
  }
  comm_->sum(plane_spikes_);
  st_.last_spikes = 0;
  for (std::int64_t c : plane_spikes_) st_.last_spikes += c;
  st_.stdp_pending = false;  // the checkpoint's weights have it applied
  std::fill(bad_.begin(), bad_.end(), std::uint8_t{0});
  nonfinite_ = false;
  start_halo();  // the neighbours' planes next to the slab, as after a step
}

// Everything load() checks before it changes anything: this rank's arrays.
void CubeModel::check_loaded(const FieldList& fields, const StateArchive& a) const {
  check_fields(fields, a);
  for (int d = 0; d < kDirections; ++d) {
    const std::string name = std::string("cube.w_") + lattice_direction_name(d);
    const auto& w = a.get_f32(name);
    for (int z = 0; z < p_.depth; ++z)
      for (int y = 0; y < p_.n; ++y)
        for (int x = 0; x < p_.n; ++x)
          if (!has_link(d, x, y, z) && w[static_cast<std::size_t>(index(x, y, z))] != 0.0f)
            throw StateError("checkpoint: array '" + name + "' has a weight on a link that leaves the lattice");
    if (!p_.sparse[static_cast<std::size_t>(d)].empty())
      for (std::int64_t i = 0; i < p_.count; ++i)
        if (!p_.link_exists(d, i) && w[static_cast<std::size_t>(i)] != 0.0f)
          throw StateError("checkpoint: array '" + name + "' has a weight on a link that lattice.density_* removed");
  }
  const auto& lat = a.get_f32("cube.w_lateral");
  for (std::size_t q = 0; q < lat.size() && q < lateral_.weight_count(); ++q)
    if (lat[q] != 0.0f && !lateral_.on_grid(p_, q))
      throw StateError("checkpoint: array 'cube.w_lateral' has a weight on a link from off the grid");
  const auto& hist = a.get_i64("cube.history");
  std::int64_t frames = 0;
  for (std::size_t p = 0; p < hist.size(); ++frames) {
    const std::int64_t k = hist[p++];
    if (k < 0 || p + 2 * static_cast<std::size_t>(k) > hist.size())
      throw StateError("checkpoint: array 'cube.history' is malformed");
    p += 2 * static_cast<std::size_t>(k);
  }
  if (frames != history_frames_) throw StateError("checkpoint: array 'cube.history' has the wrong number of frames");
}

void CubeModel::agree_on(const std::function<void()>& checks) const {
  std::string error;
  try {
    checks();
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  if (comm_->size() > 1) error = comm_->first_error(error);
  if (!error.empty()) throw StateError(error);
}

int CubeModel::field_home(std::string_view name, FieldRole role) const {
  if (name == "cube.w_out") return comm_->size() - 1;
  return role == FieldRole::kFrame ? static_cast<int>(kFieldEveryRank) : static_cast<int>(kFieldSplit);
}

StateSplit CubeModel::state_split() const {
  StateSplit s;
  s.slab = p_.slab;
  FieldVisitorOf visit([&](std::string_view name, auto&& data, FieldRole role) {
    const int home = field_home(name, role);
    if (home >= 0) s.owner[std::string(name)] = home;
    else if (home == kFieldSplit && !data.empty())
      s.per_plane[std::string(name)] = static_cast<std::int64_t>(data.size()) / p_.depth;
  });
  field_list()(visit);
  return s;
}

std::uint64_t CubeModel::state_hash() const {
  settle();
  if (comm_->size() == 1) return hash_fields(field_list(), 0xc0be5eed);
  // the hash of the whole lattice: split arrays in rank order, the
  // readout's weights from the last rank, the frame bookkeeping from any
  return slab_state_hash(field_list(), *comm_, 0xc0be5eed,
                         [this](std::string_view name, FieldRole role) { return field_home(name, role); });
}

}  // namespace spikecube
