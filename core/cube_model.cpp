#include "core/cube_model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/rng.hpp"
#include "core/runaway.hpp"

// The STDP sweep has a hand-written AVX-512 kernel (stdp_six); the portable
// loops (stdp_span) are the reference, and tests check that both give
// bit-identical weights (CubeModel::portable_kernels).
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && !defined(SPIKECUBE_NO_INTRINSICS)
#include <immintrin.h>
#define SPIKECUBE_STDP_AVX512 1
#else
#define SPIKECUBE_STDP_AVX512 0
#endif

namespace spikecube {
namespace {

// Runaway (core/runaway.hpp): the windowed rate at half of what the lattice
// can fire, or more, for this many frames in a row. Waves of cube-48 fire a
// few percent; a saturated lattice fires every neuron that is not refractory.
constexpr std::int64_t kRunawaySteps = 500;
constexpr double kRunawayRate = 0.5;
constexpr int kFocusRadius = 3;
// neurons per block of the integration pass (whole rows, at least one)
constexpr std::int64_t kBlock = 32768;

constexpr const char* kDirName[CubeModel::kDirections] = {"xp", "xm", "yp", "ym", "zp", "zm"};

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

CubeModel::CubeModel(const Config& cfg)
    : cfg_(cfg),
      n_(cfg.n),
      depth_(cfg.depth),
      nn_(static_cast<std::int64_t>(cfg.n) * cfg.n),
      count_(static_cast<std::int64_t>(cfg.n) * cfg.n * cfg.depth),
      rows_(static_cast<std::int64_t>(cfg.n) * cfg.depth),
      np_(NeuronParams::from(cfg)),
      seed_(cfg.seed),
      pool_(cfg.threads) {
  const auto N = static_cast<std::size_t>(count_);
  // initial weights U(lo, hi), one counter-based stream per direction, so a
  // link's weight does not depend on the lattice's thread partition
  for (int d = 0; d < kDirections; ++d) {
    auto& w = w_[static_cast<std::size_t>(d)];
    w.assign(N, 0.0f);
    const std::uint64_t key = rng::key(seed_, Stream::kInitLattice, static_cast<std::uint64_t>(d));
    const double lo = cfg.w_init_lo, span = cfg.w_init_hi - cfg.w_init_lo;
    for (int z = 0; z < depth_; ++z)
      for (int y = 0; y < n_; ++y)
        for (int x = 0; x < n_; ++x) {
          if (!has_link(d, x, y, z)) continue;
          const std::int64_t i = index(x, y, z);
          const double u = span > 0 ? rng::uniform(key, static_cast<std::uint64_t>(i)) : 0.0;
          w[static_cast<std::size_t>(i)] = static_cast<float>(std::min(lo + span * u, cfg.w_max));
        }
  }
  v_.assign(N, 0.0f);
  if (np_.rule == ThresholdRule::kHomeostatic) theta_.assign(N, np_.theta_init);
  if (np_.rule == ThresholdRule::kAdaptive) theta_.assign(N, 0.0f);
  if (np_.refractory > 0) refr_.assign(N, 0);
  two_traces_ = cfg.tau_plus != cfg.tau_minus;
  // padding lets the STDP read a neighbour's pre trace across any y or x
  // face without bounds checks
  tpad_ = n_ + 64;
  trace_pre_.assign(N + 2 * static_cast<std::size_t>(tpad_), 0.0f);
  if (two_traces_) trace_post_.assign(N, 0.0f);
  // padding lets the gather read i +- n*n and the spike scan read whole
  // 8-byte words without bounds checks; padding bytes stay 0
  pad_ = nn_ + 64;
  for (auto& s : spk_) s.assign(N + 2 * static_cast<std::size_t>(pad_), 0);
  for (auto& rs : row_spikes_) rs.assign(static_cast<std::size_t>(rows_), 0);
  bad_.assign(static_cast<std::size_t>(pool_.size()), 0);
  make_parts();
  set_link_period(1);
  drive_.assign(static_cast<std::size_t>(nn_), 0);
  output_.assign(static_cast<std::size_t>(nn_), 0);
  if (cfg.readout_enabled) {
    const int k = cfg.readout_layers;
    readout_first_ = (static_cast<std::int64_t>(depth_) - k) * nn_;
    readout_ = std::make_unique<Readout>(n_, static_cast<std::int64_t>(k) * nn_, face_points(n_, k), cfg, seed_);
    seen_.assign(static_cast<std::size_t>(k * nn_), 0);
  }
  history_.assign(static_cast<std::size_t>((depth_ - 1) / cfg.substeps + 1), {});
  set_rules();
}

CubeModel::~CubeModel() = default;

bool CubeModel::has_link(int d, int x, int y, int z) const {
  switch (d) {
    case kXp: return x > 0;
    case kXm: return x < n_ - 1;
    case kYp: return y > 0;
    case kYm: return y < n_ - 1;
    case kZp: return z > 0;
    case kZm: return z < depth_ - 1;
    default: return false;
  }
}

void CubeModel::set_rules() {
  np_ = NeuronParams::from(cfg_);
  gain_ = {static_cast<float>(cfg_.gain_xp), static_cast<float>(cfg_.gain_xm), static_cast<float>(cfg_.gain_yp),
           static_cast<float>(cfg_.gain_ym), static_cast<float>(cfg_.gain_zp), static_cast<float>(cfg_.gain_zm)};
  const std::array<double, kDirections> lr = {cfg_.lr_xp, cfg_.lr_xm, cfg_.lr_yp, cfg_.lr_ym, cfg_.lr_zp, cfg_.lr_zm};
  for (int d = 0; d < kDirections; ++d) {
    auto& r = rule_[static_cast<std::size_t>(d)];
    r.a_plus = static_cast<float>(cfg_.a_plus * lr[static_cast<std::size_t>(d)]);
    r.a_minus = static_cast<float>(cfg_.a_minus * lr[static_cast<std::size_t>(d)]);
    r.w_max = static_cast<float>(cfg_.w_max);
    r.multiplicative = cfg_.multiplicative;
  }
  decay_plus_ = static_cast<float>(std::exp(-1.0 / cfg_.tau_plus));
  decay_minus_ = static_cast<float>(std::exp(-1.0 / cfg_.tau_minus));
}

void CubeModel::update_params(const Config& cfg) {
  settle();  // the last step's STDP runs under the rules it was taken with
  // sizes, seed, threshold rule and trace layout are fixed for a model's life
  const bool two = cfg.tau_plus != cfg.tau_minus;
  if (two && !two_traces_) {  // the shared trace was both (less the spike sign bit)
    trace_post_.resize(static_cast<std::size_t>(count_));
    for (std::size_t i = 0; i < trace_post_.size(); ++i) trace_post_[i] = std::fabs(pre_trace()[i]);
  }
  if (!two && two_traces_) trace_post_.clear();        // the traces merge: keep the pre trace
  two_traces_ = two;
  if ((cfg.refractory > 0) != !refr_.empty()) refr_.assign(cfg.refractory > 0 ? static_cast<std::size_t>(count_) : 0, 0);
  cfg_ = cfg;
  set_rules();
  if (readout_) readout_->set_rates(cfg.eta_out, cfg.tau_out);
}

namespace {

// Everything one row kernel needs, as plain pointers and values: the
// vectoriser handles free functions over __restrict pointers far better than
// member functions that reach through `this`.
struct RowArgs {
  const std::uint8_t* prev;          // last step's spikes (padded)
  std::uint8_t* out;                 // this step's spikes
  float* v;
  float* th;                         // threshold or adaptation (may be null)
  float* tp;                         // pre (or shared) trace
  float* tm;                         // post trace (two traces only)
  std::uint8_t* refr;
  float rho, bias, sigma, v_reset, theta_fixed, theta0, eta, r_target, th_min, th_max, a_decay, a_jump;
  float dp, dm;
  std::uint8_t hold;
  bool nearest;
  std::uint32_t noise_key;
};

// currents of neurons [begin, end) in the fixed order xp, xm, yp, ym, zp, zm (see header);
// links that leave the lattice have weight 0, so faces need no special case
void gather_range(const std::uint8_t* __restrict prev, const float* __restrict w0, const float* __restrict w1,
                  const float* __restrict w2, const float* __restrict w3, const float* __restrict w4,
                  const float* __restrict w5, const float* g, float* __restrict c, std::int64_t begin,
                  std::int64_t end, std::int64_t n, std::int64_t nn) {
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

// membrane, spikes, refractoriness and threshold rule of one row; the traces
// catch up with last step's spikes first (this step's STDP reads them)
template <ThresholdRule kRule, bool kRefr, bool kNoise, bool kTwoTraces>
void integrate_range(const RowArgs& a, const float* __restrict c, std::int64_t begin, std::int64_t end, bool& bad_out) {
  const std::uint8_t* __restrict prev = a.prev;
  std::uint8_t* __restrict out = a.out;
  float* __restrict v = a.v;
  float* __restrict th = a.th;
  float* __restrict tp = a.tp;
  float* __restrict tm = a.tm;
  std::uint8_t* __restrict refr = a.refr;
  const float rho = a.rho, bias = a.bias, sigma = a.sigma, v_reset = a.v_reset;
  const float theta_fixed = a.theta_fixed, theta0 = a.theta0;
  const float eta = a.eta, r_target = a.r_target, th_min = a.th_min, th_max = a.th_max;
  const float a_decay = a.a_decay, a_jump = a.a_jump, dp = a.dp, dm = a.dm;
  const std::uint32_t hold = a.hold;
  const float reset_to = a.nearest ? 0.0f : 1.0f;  // nearest: trace <- 1, else trace*d + 1
  const std::uint32_t key = a.noise_key;
  int bad = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t x = i - begin;
    const float was = static_cast<float>(prev[i]);
    // was = 1: trace*d*reset_to + 1 (1 for nearest); was = 0: trace*d. The
    // sign bit of the pre trace carries the neuron's latest spike (below).
    const float tp_new = std::fabs(tp[i]) * dp * (1.0f - was * (1.0f - reset_to)) + was;
    if constexpr (kTwoTraces) tm[i] = tm[i] * dm * (1.0f - was * (1.0f - reset_to)) + was;
    float drive = c[x] + bias;
    if constexpr (kNoise) drive += sigma * rng::fast_normal(key, static_cast<std::uint32_t>(i));
    const float vi = rho * v[i] + drive;
    float theta;
    if constexpr (kRule == ThresholdRule::kFixed) theta = theta_fixed;
    else if constexpr (kRule == ThresholdRule::kAdaptive) theta = theta0 + th[i];
    else theta = th[i];
    bool fire = vi >= theta;
    bad |= std::fabs(vi) <= 3.0e38f ? 0 : 1;
    if constexpr (kRefr) {
      // integer selects in 32-bit lanes: the vectoriser handles these
      const std::uint32_t r = refr[i];
      const std::uint32_t resting = r != 0u ? 1u : 0u;
      const std::uint32_t f = (fire ? 1u : 0u) & (resting ^ 1u);
      fire = f != 0u;
      refr[i] = static_cast<std::uint8_t>(r - resting + f * hold);
      v[i] = (f | resting) != 0u ? v_reset : vi;
    } else {
      v[i] = fire ? v_reset : vi;
    }
    out[i] = fire ? 1 : 0;
    // the spike of this step is also the sign of the (non-negative) pre
    // trace: the STDP reads spikes from the spike array and traces through
    // fabs, but the stored traces (checkpoints, state_hash) stay those of
    // the event-driven STDP that used the sign
    tp[i] = fire ? -tp_new : tp_new;
    const float sf = fire ? 1.0f : 0.0f;
    if constexpr (kRule == ThresholdRule::kHomeostatic) th[i] = std::min(std::max(th[i] + eta * (sf - r_target), th_min), th_max);
    if constexpr (kRule == ThresholdRule::kAdaptive) th[i] = th[i] * a_decay + a_jump * sf;
  }
  if (bad) bad_out = true;
}

// spikes per row: bytes are 0 or 1, so summing 8-byte words adds 8 rows of
// counters at once (no lane can overflow for n <= 1024)
std::int32_t count_row(const std::uint8_t* s, std::int64_t n) {
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
__attribute__((noinline)) void stdp_span(float* __restrict w, const std::uint8_t* __restrict s, const float* __restrict x,
                                         const float* __restrict y, std::int64_t begin, std::int64_t end, std::int64_t off,
                                         const std::uint8_t* __restrict live, const LinkRule& r) {
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
struct SixWay {
  float* w[6];
  const float* x[6];
  const std::uint8_t* live[4];
  __mmask16 live_z[2];
  std::int64_t off[6];
  LinkRule rule[6];
};

constexpr std::int64_t kPrefetchAhead = 256;  // floats: 1 kB ahead in each weight stream (measured: 128-512 alike, none 10-20% slower at 256^3)

template <bool kMultiplicative>
__attribute__((noinline)) void stdp_six(const SixWay& k, const std::uint8_t* __restrict s, const float* __restrict y,
                                        std::int64_t begin, std::int64_t end) {
  const __m512 zero = _mm512_setzero_ps();
  const __mmask16 all = 0xffff;
  const __m512 no_sign = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
  __m512 a_plus[6], a_minus[6], w_max[6];
  for (int d = 0; d < 6; ++d) {
    a_plus[d] = _mm512_set1_ps(k.rule[d].a_plus);
    a_minus[d] = _mm512_set1_ps(k.rule[d].a_minus);
    w_max[d] = _mm512_set1_ps(k.rule[d].w_max);
  }
  std::int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    const __m128i si8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __mmask16 post = _mm_test_epi8_mask(si8, si8);
    const __m512 yi = _mm512_and_ps(_mm512_loadu_ps(y + i), no_sign);
    for (int d = 0; d < 6; ++d) _mm_prefetch(reinterpret_cast<const char*>(k.w[d] + i + kPrefetchAhead), _MM_HINT_T0);
    // and the next plane's traces and spikes (sources of the -z links, d = 5), met here first
    _mm_prefetch(reinterpret_cast<const char*>(k.x[5] + i + kPrefetchAhead), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(s - k.off[5] + i + kPrefetchAhead), _MM_HINT_T0);
    for (int d = 0; d < 6; ++d) {  // unrolled by the compiler
      // a plane without links of a z direction (faces; groups: all but every
      // g-th plane) skips it: the same branch every time, so it costs nothing
      if (d >= 4 && k.live_z[d - 4] == 0) continue;
      const __m128i sj8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i - k.off[d]));
      const __mmask16 pre = _mm_test_epi8_mask(sj8, sj8);
      __mmask16 live;
      if (d < 4) {
        const __m128i l8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(k.live[d] + (i - begin)));
        live = _mm_test_epi8_mask(l8, l8);
      } else {
        live = k.live_z[d - 4];
      }
      const __mmask16 change = static_cast<__mmask16>((post | pre) & live);
      float* w = k.w[d];
      const __m512 wv = _mm512_loadu_ps(w + i);
      const __m512 xj = _mm512_and_ps(_mm512_loadu_ps(k.x[d] + i), no_sign);
      __m512 pot = _mm512_mul_ps(a_plus[d], xj);
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
      dep = _mm512_maskz_mov_ps(pre, dep);
      __m512 v = _mm512_sub_ps(_mm512_add_ps(wv, pot), dep);
      // std::clamp(v, 0, w_max) for v neither NaN (finite traces and rates)
      // nor -0 (above): max(v, 0) then min(., w_max)
      // (the maskz forms with all lanes: g++ 12's plain max/min intrinsics warn)
      v = _mm512_maskz_min_ps(all, _mm512_maskz_max_ps(all, v, zero), w_max[d]);
      _mm512_mask_storeu_ps(w + i, change, v);
    }
  }
  // the last few targets one at a time
  for (; i < end; ++i) {
    const bool si = s[i] != 0;
    for (int d = 0; d < 6; ++d) {
      const bool sj = s[i - k.off[d]] != 0;
      const bool live = d < 4 ? k.live[d][i - begin] != 0 : k.live_z[d - 4] != 0;
      if ((si || sj) && live) {
        const LinkRule r{k.rule[d].a_plus, k.rule[d].a_minus, k.rule[d].w_max, kMultiplicative};
        k.w[d][i] = stdp_link(k.w[d][i], std::fabs(k.x[d][i]), std::fabs(y[i]), sj, si, r);
      }
    }
  }
}
#endif

}  // namespace

struct CubeModel::Kernel {
  RowArgs args;
  IntegrateFn integrate;
};

float* CubeModel::Part::currents(std::int64_t row, std::int64_t n) {
  if (row < head_end) return head.data() + (row - begin) * n;
  if (row >= tail_begin) return tail.data() + (row - tail_begin) * n;
  return ring.data() + ((row - head_end) % ring_rows) * n;
}

void CubeModel::make_parts() {
  const int workers = pool_.size();
  // the largest divisor of n with at most about kBlock neurons per block
  block_rows_ = 1;
  for (std::int64_t b = 1; b <= std::max<std::int64_t>(1, kBlock / n_); ++b)
    if (n_ % b == 0) block_rows_ = b;
  const std::int64_t blocks = rows_ / block_rows_;
  parts_.assign(static_cast<std::size_t>(workers), {});
  for (int t = 0; t < workers; ++t) {
    Part& p = parts_[static_cast<std::size_t>(t)];
    const auto [bb, be] = ThreadPool::partition(blocks, workers, t);
    p.begin = bb * block_rows_;
    p.end = be * block_rows_;
    // rows whose old traces a neighbouring worker's STDP reads: one plane
    p.head_end = p.begin > 0 ? std::min(p.begin + n_, p.end) : p.begin;
    p.tail_begin = p.end < rows_ ? std::max(p.end - n_, p.head_end) : p.end;
    // in flight between gather and integration: up to n + 2 blocks of rows;
    // a multiple of block_rows_ (which divides n), so no block wraps around
    p.ring_rows = n_ + 2 * block_rows_;
    p.head.assign(static_cast<std::size_t>((p.head_end - p.begin) * n_), 0.0f);
    p.tail.assign(static_cast<std::size_t>((p.end - p.tail_begin) * n_), 0.0f);
    p.ring.assign(static_cast<std::size_t>(std::min(p.ring_rows, p.tail_begin - p.head_end) * n_), 0.0f);
  }
}

void CubeModel::set_link_period(int p) {
  settle();
  const auto period = static_cast<std::int64_t>(std::max(1, p));
  for (auto& live : plane_links_) live.assign(static_cast<std::size_t>(nn_), 0);
  for (std::int64_t y = 0; y < n_; ++y)
    for (std::int64_t x = 0; x < n_; ++x) {
      const auto k = static_cast<std::size_t>(y * n_ + x);
      plane_links_[kXp][k] = x > 0 && x % period == 0;
      plane_links_[kXm][k] = x < n_ - 1 && (x + 1) % period == 0;
      plane_links_[kYp][k] = y > 0 && y % period == 0;
      plane_links_[kYm][k] = y < n_ - 1 && (y + 1) % period == 0;
    }
  z_links_.assign(static_cast<std::size_t>(depth_), 0);
  for (std::int64_t z = 0; z < depth_; ++z) {
    unsigned bits = 0;
    if (z > 0 && z % period == 0) bits |= 1u << kZp;
    if (z < depth_ - 1 && (z + 1) % period == 0) bits |= 1u << kZm;
    z_links_[static_cast<std::size_t>(z)] = static_cast<std::uint8_t>(bits);
  }
}

// A direction is swept over the block only when it has links there and the
// block or the rows its sources lie in had a spike.
void CubeModel::stdp_rows(std::int64_t r0, std::int64_t r1, int buffer) const {
  const std::uint8_t* s = spk_[static_cast<std::size_t>(buffer)].data() + pad_;
  const std::int32_t* rs = row_spikes_[static_cast<std::size_t>(buffer)].data();
  const float* x = pre_trace();
  const float* y = post_trace();
  const std::int64_t n = n_, z = r0 / n;
  const std::int64_t b = r0 * n, e = r1 * n;
  const unsigned zbits = z_links_[static_cast<std::size_t>(z)];
  const std::array<std::int64_t, kDirections> off = {1, -1, n, -n, nn_, -nn_};  // neurons from source to target
  const std::array<std::int64_t, kDirections> row_off = {0, 0, 1, -1, n, -n};   // rows from source to target
  std::int64_t own = 0;
  for (std::int64_t r = r0; r < r1; ++r) own += rs[r];
#if SPIKECUBE_STDP_AVX512
  if (!portable_kernels) {
    std::int64_t near = own;
    for (std::int64_t r = std::max<std::int64_t>(0, r0 - n); r < std::min(rows_, r1 + n) && near == 0; ++r) near += rs[r];
    if (near == 0) return;
    SixWay k{};
    for (int d = 0; d < kDirections; ++d) {
      const auto du = static_cast<std::size_t>(d);
      const bool has = d < kZp || ((zbits >> d) & 1u) != 0;
      k.w[d] = w_[du].data();
      k.off[d] = off[du];
      k.x[d] = has ? x - off[du] : x;  // without links the value is unused; keep the pointer in bounds
      k.rule[d] = rule_[du];
      if (d < kZp) k.live[d] = plane_links_[du].data() + (b - z * nn_);
      else k.live_z[d - kZp] = has ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>(0);
    }
    // the multiplicative flag is shared by all directions (set_rules)
    if (rule_[0].multiplicative) stdp_six<true>(k, s, y, b, e);
    else stdp_six<false>(k, s, y, b, e);
    return;
  }
#endif
  for (int d = 0; d < kDirections; ++d) {
    const auto du = static_cast<std::size_t>(d);
    const bool along_z = d == kZp || d == kZm;
    if (along_z && ((zbits >> d) & 1u) == 0) continue;
    // spikes in the source rows (clipped to the lattice: rows off it have no links)
    std::int64_t sources = 0;
    if (own == 0 && d >= kYp)
      for (std::int64_t r = std::max<std::int64_t>(0, r0 - row_off[du]); r < std::min(rows_, r1 - row_off[du]); ++r) sources += rs[r];
    if (own == 0 && sources == 0) continue;
    float* w = w_[du].data();
    const LinkRule& rule = rule_[du];
    if (along_z) {
      if (rule.multiplicative) stdp_span<false, true>(w, s, x, y, b, e, off[du], nullptr, rule);
      else stdp_span<false, false>(w, s, x, y, b, e, off[du], nullptr, rule);
    } else {
      const std::uint8_t* live = plane_links_[du].data() + (b - z * nn_);
      if (rule.multiplicative) stdp_span<true, true>(w, s, x, y, b, e, off[du], live, rule);
      else stdp_span<true, false>(w, s, x, y, b, e, off[du], live, rule);
    }
  }
}

void CubeModel::settle() const {
  if (!stdp_pending_) return;
  stdp_pending_ = false;
  for (std::int64_t r = 0; r < rows_; r += block_rows_) stdp_rows(r, r + block_rows_, cur_);
}

// STDP, currents and weight decay of rows [r0, r1) (one block), currents into c
void CubeModel::front_rows(std::int64_t r0, std::int64_t r1, float* c) {
  if (stdp_pending_) stdp_rows(r0, r1, 1 - cur_);
  const std::int64_t b = r0 * n_, e = r1 * n_;
  const float* w[kDirections];
  for (int d = 0; d < kDirections; ++d) w[d] = w_[static_cast<std::size_t>(d)].data();
  gather_range(spk_[1 - cur_].data() + pad_, w[0], w[1], w[2], w[3], w[4], w[5], gain_.data(), c, b, e, n_, nn_);
  // the decay of this step follows the gather: this step's current sees
  // the weights as the last step left them
  if (cfg_.decay > 0.0) {
    const float keep = 1.0f - static_cast<float>(cfg_.decay);
    for (auto& wd : w_)
      for (std::int64_t i = b; i < e; ++i) wd[static_cast<std::size_t>(i)] *= keep;
  }
  if (drive_any_ && b < nn_) {
    const float g_in = static_cast<float>(cfg_.input_gain);
    for (std::int64_t i = b; i < std::min(e, nn_); ++i) c[i - b] += g_in * static_cast<float>(drive_[static_cast<std::size_t>(i)]);
  }
  if (extra_current_ != nullptr)
    for (std::int64_t i = b; i < e; ++i) c[i - b] += extra_current_[i];
  for (const auto& inj : injected_)
    if (inj.index >= b && inj.index < e) c[inj.index - b] += inj.current;
}

void CubeModel::integrate_rows(std::int64_t r0, std::int64_t r1, const float* c, int worker, const Kernel& k) {
  bool bad = false;
  k.integrate(k.args, c, r0 * n_, r1 * n_, bad);
  std::int32_t* rs = row_spikes_[static_cast<std::size_t>(cur_)].data();
  for (std::int64_t r = r0; r < r1; ++r) rs[r] = count_row(k.args.out + r * n_, n_);
  if (bad) bad_[static_cast<std::size_t>(worker)] = 1;
}

// Phase 1 of a worker: gather its rows block by block, and integrate each
// middle block once the STDP of every row within one plane of it is done.
void CubeModel::pass_part(int worker, const Kernel& k) {
  Part& p = parts_[static_cast<std::size_t>(worker)];
  std::int64_t next = p.head_end;  // first middle row not yet integrated
  auto integrate_ready = [&](std::int64_t front) {
    while (next < p.tail_begin) {
      const std::int64_t e = std::min(p.tail_begin, next + block_rows_);
      if (front < std::min(e + n_, p.end)) break;
      integrate_rows(next, e, p.currents(next, n_), worker, k);
      next = e;
    }
  };
  for (const auto& [sb, se] : {std::pair{p.begin, p.head_end}, std::pair{p.head_end, p.tail_begin}, std::pair{p.tail_begin, p.end}})
    for (std::int64_t r = sb; r < se; r += block_rows_) {
      const std::int64_t re = std::min(se, r + block_rows_);
      front_rows(r, re, p.currents(r, n_));
      integrate_ready(re);
    }
  integrate_ready(p.end);
}

// Phase 2: the worker's first and last plane, after every worker's STDP
void CubeModel::finish_part(int worker, const Kernel& k) {
  Part& p = parts_[static_cast<std::size_t>(worker)];
  for (const auto& [sb, se] : {std::pair{p.begin, p.head_end}, std::pair{p.tail_begin, p.end}})
    for (std::int64_t r = sb; r < se; r += block_rows_) {
      const std::int64_t re = std::min(se, r + block_rows_);
      integrate_rows(r, re, p.currents(r, n_), worker, k);
    }
}

void CubeModel::neural_step(std::int64_t neural_step) {
  before_currents();
  cur_ = 1 - cur_;
  Kernel k{};
  RowArgs& a = k.args;
  a.prev = spk_[1 - cur_].data() + pad_;
  a.out = spk_[cur_].data() + pad_;
  a.v = v_.data();
  a.th = theta_.data();
  a.tp = trace_pre_.data() + tpad_;
  a.tm = trace_post_.data();
  a.refr = refr_.data();
  a.rho = np_.rho;
  a.bias = np_.bias;
  a.sigma = np_.noise;
  a.v_reset = np_.v_reset;
  a.theta_fixed = np_.theta_init;
  a.theta0 = np_.theta0;
  a.eta = np_.eta_theta;
  a.r_target = np_.r_target;
  a.th_min = np_.theta_min;
  a.th_max = np_.theta_max;
  a.a_decay = np_.adapt_decay;
  a.a_jump = np_.adapt_jump;
  a.dp = decay_plus_;
  a.dm = decay_minus_;
  a.hold = static_cast<std::uint8_t>(np_.refractory);
  a.nearest = cfg_.nearest;
  a.noise_key = rng::key32(rng::key(seed_, Stream::kNoise, static_cast<std::uint64_t>(neural_step)));
  k.integrate = pick_integrate(np_.rule, !refr_.empty(), np_.noise > 0.0f, two_traces_);
  pool_.run([&](int t) { pass_part(t, k); });
  if (pool_.size() > 1) pool_.run([&](int t) { finish_part(t, k); });
  injected_.clear();
  stdp_pending_ = cfg_.plastic;
  if (cfg_.plastic) after_plasticity();
  std::int64_t total = 0;
  for (std::int32_t c : row_spikes_[static_cast<std::size_t>(cur_)]) total += c;
  last_spikes_ = total;
  if (readout_) {
    const std::uint8_t* s = spk_[cur_].data() + pad_ + readout_first_;
    const auto sources = static_cast<std::int64_t>(seen_.size());
    for (std::int64_t j = 0; j < sources; ++j) {
      if (s[j] && !seen_[static_cast<std::size_t>(j)]) {
        seen_[static_cast<std::size_t>(j)] = 1;
        active_.push_back(static_cast<std::int32_t>(j));
      }
    }
  }
}

void CubeModel::step(const StepInput& in) {
  const Frame& x = *in.input;
  // pixels of face z = 0 driven this frame: the lit pixels, dilated by r_in
  const int r_in = cfg_.patch_radius;
  std::fill(drive_.begin(), drive_.end(), std::uint8_t{0});
  drive_any_ = false;
  for (int py = 0; py < n_; ++py)
    for (int px = 0; px < n_; ++px) {
      if (!x[static_cast<std::size_t>(py * n_ + px)]) continue;
      drive_any_ = true;
      for (int yy = std::max(0, py - r_in); yy <= std::min(n_ - 1, py + r_in); ++yy)
        for (int xx = std::max(0, px - r_in); xx <= std::min(n_ - 1, px + r_in); ++xx)
          drive_[static_cast<std::size_t>(yy * n_ + xx)] = 1;
    }

  active_.clear();
  for (int sub = 0; sub < cfg_.substeps; ++sub) neural_step(frames_ * cfg_.substeps + sub + 1);
  ++frames_;

  if (readout_) {
    for (std::int32_t j : active_) seen_[static_cast<std::size_t>(j)] = 0;
    std::sort(active_.begin(), active_.end());  // fixed summation order in the readout
    readout_->predict(active_, output_);
    readout_->learn(active_, output_, *in.target);
  }

  // history of input points for the lagged focus (history_[k] = k frames ago)
  std::rotate(history_.rbegin(), history_.rbegin() + 1, history_.rend());
  history_[0].assign(in.input_points.begin(), in.input_points.end());
  compute_focus();

  runaway_steps_ = runaway::update(runaway_steps_, firing_rate(), np_.refractory, kRunawayRate);
}

void CubeModel::compute_focus() {
  focus_ = focus_lagged_ = 0;
  if (last_spikes_ == 0) return;
  const std::uint8_t* s = spikes();
  // spikes of layer z within radius 3 (in x and y) of any of the points:
  // walk each point's 7 x 7 box, skipping cells an earlier point's box covers
  auto near = [&](int z, const std::vector<Point>& pts) {
    std::int64_t hits = 0;
    for (std::size_t k = 0; k < pts.size(); ++k) {
      const Point p = pts[k];
      for (int y = std::max(0, p.y - kFocusRadius); y <= std::min(n_ - 1, p.y + kFocusRadius); ++y) {
        if (row_spikes_[static_cast<std::size_t>(cur_)][static_cast<std::size_t>(z * n_ + y)] == 0) continue;
        for (int x = std::max(0, p.x - kFocusRadius); x <= std::min(n_ - 1, p.x + kFocusRadius); ++x) {
          if (!s[index(x, y, z)]) continue;
          bool counted = false;
          for (std::size_t q = 0; q < k && !counted; ++q)
            counted = std::abs(x - pts[q].x) <= kFocusRadius && std::abs(y - pts[q].y) <= kFocusRadius;
          hits += counted ? 0 : 1;
        }
      }
    }
    return hits;
  };
  std::int64_t now = 0, lagged = 0;
  for (int z = 0; z < depth_; ++z) {
    now += near(z, history_[0]);
    // activity travels one layer per neural step: layer z shows the input of
    // z / substeps frames ago
    lagged += near(z, history_[static_cast<std::size_t>(z / cfg_.substeps)]);
  }
  focus_ = static_cast<double>(now) / static_cast<double>(last_spikes_);
  focus_lagged_ = static_cast<double>(lagged) / static_cast<double>(last_spikes_);
}

void CubeModel::layer_rates(std::vector<double>& out) const {
  out.assign(static_cast<std::size_t>(depth_), 0.0);
  const auto& rs = row_spikes_[static_cast<std::size_t>(cur_)];
  for (std::int64_t r = 0; r < rows_; ++r) out[static_cast<std::size_t>(r / n_)] += rs[static_cast<std::size_t>(r)];
  for (double& v : out) v /= static_cast<double>(nn_);
}

Health CubeModel::health() const {
  for (std::uint8_t b : bad_)
    if (b) return Health::kNonFinite;
  if (runaway::steps(runaway_steps_) >= kRunawaySteps) return Health::kRunaway;
  return Health::kOk;
}

void CubeModel::view(NeuronView& out, int max_neurons) const {
  int stride = 1;
  auto shown = [&](int s) {
    const std::int64_t a = (n_ + s - 1) / s, b = (depth_ + s - 1) / s;
    return a * a * b;
  };
  while (max_neurons > 0 && shown(stride) > max_neurons && stride < std::max(n_, depth_)) ++stride;
  out.stride = stride;
  out.dims = {(n_ + stride - 1) / stride, (n_ + stride - 1) / stride, (depth_ + stride - 1) / stride};
  const auto m = static_cast<std::size_t>(out.dims.count());
  out.potential.resize(m);
  out.spiked.resize(m);
  const std::uint8_t* s = spikes();
  std::size_t k = 0;
  for (int z = 0; z < depth_; z += stride)
    for (int y = 0; y < n_; y += stride)
      for (int x = 0; x < n_; x += stride, ++k) {
        const auto i = static_cast<std::size_t>(index(x, y, z));
        float theta = np_.theta_init;
        if (np_.rule == ThresholdRule::kHomeostatic) theta = theta_[i];
        if (np_.rule == ThresholdRule::kAdaptive) theta = np_.theta0 + theta_[i];
        out.potential[k] = v_[i] / std::max(theta, 1e-6f);
        out.spiked[k] = s[i];
      }
}

std::size_t CubeModel::state_bytes() const {
  std::size_t b = 0;
  for (const auto& w : w_) b += w.size() * sizeof(float);
  b += (v_.size() + theta_.size() + trace_pre_.size() + trace_post_.size()) * sizeof(float);
  b += refr_.size();
  for (const auto& s : spk_) b += s.size();
  for (const auto& rs : row_spikes_) b += rs.size() * sizeof(std::int32_t);
  for (const auto& live : plane_links_) b += live.size();
  b += z_links_.size();
  return b;
}

void CubeModel::save(StateArchive& a) const {
  settle();
  const auto N = static_cast<std::size_t>(count_);
  for (int d = 0; d < kDirections; ++d) a.f32[std::string("cube.w_") + kDirName[d]] = w_[static_cast<std::size_t>(d)];
  a.f32["cube.v"] = v_;
  a.f32["cube.theta"] = theta_;
  a.f32["cube.trace_pre"].assign(pre_trace(), pre_trace() + N);
  a.f32["cube.trace_post"] = trace_post_;
  a.u8["cube.refractory"] = refr_;
  a.u8["cube.spikes"].assign(spikes(), spikes() + N);
  a.u8["cube.output"] = output_;
  std::vector<std::int64_t> hist;  // per frame: count, then x, y pairs
  for (const auto& pts : history_) {
    hist.push_back(static_cast<std::int64_t>(pts.size()));
    for (const auto& p : pts) hist.insert(hist.end(), {p.x, p.y});
  }
  a.i64["cube.history"] = hist;
  a.i64["cube.counters"] = {frames_, runaway_steps_};
  a.f64["cube.focus"] = {focus_, focus_lagged_};
  if (readout_) readout_->save(a, "cube.");
}

void CubeModel::load(const StateArchive& a) {
  const auto N = static_cast<long long>(count_);
  // validate everything before touching the model
  for (int d = 0; d < kDirections; ++d) {
    const auto& w = a.get_f32(std::string("cube.w_") + kDirName[d], N);
    for (int z = 0; z < depth_; ++z)
      for (int y = 0; y < n_; ++y)
        for (int x = 0; x < n_; ++x)
          if (!has_link(d, x, y, z) && w[static_cast<std::size_t>(index(x, y, z))] != 0.0f)
            throw StateError(std::string("checkpoint: array 'cube.w_") + kDirName[d] + "' has a weight on a link that leaves the lattice");
  }
  a.get_f32("cube.v", N);
  a.get_f32("cube.theta", static_cast<long long>(theta_.size()));
  a.get_f32("cube.trace_pre", N);
  a.get_f32("cube.trace_post", static_cast<long long>(trace_post_.size()));
  a.get_u8("cube.refractory", static_cast<long long>(refr_.size()));
  a.get_u8("cube.spikes", N);
  a.get_u8("cube.output", nn_);
  const auto& hist = a.get_i64("cube.history");
  std::vector<std::vector<Point>> history;
  for (std::size_t p = 0; p < hist.size();) {
    const std::int64_t k = hist[p++];
    if (k < 0 || p + 2 * static_cast<std::size_t>(k) > hist.size()) throw StateError("checkpoint: array 'cube.history' is malformed");
    std::vector<Point> pts;
    for (std::int64_t q = 0; q < k; ++q, p += 2) pts.push_back({static_cast<int>(hist[p]), static_cast<int>(hist[p + 1])});
    history.push_back(std::move(pts));
  }
  if (history.size() != history_.size()) throw StateError("checkpoint: array 'cube.history' has the wrong number of frames");
  const auto& counters = a.get_i64("cube.counters", 2);
  const auto& focus = a.get_f64("cube.focus", 2);
  if (readout_) a.get_f32("cube.w_out", static_cast<long long>(readout_->weights().size()));

  for (int d = 0; d < kDirections; ++d) w_[static_cast<std::size_t>(d)] = a.get_f32(std::string("cube.w_") + kDirName[d]);
  v_ = a.get_f32("cube.v");
  theta_ = a.get_f32("cube.theta");
  const auto& tp = a.get_f32("cube.trace_pre");
  std::copy(tp.begin(), tp.end(), trace_pre_.begin() + tpad_);
  trace_post_ = a.get_f32("cube.trace_post");
  refr_ = a.get_u8("cube.refractory");
  const auto& s = a.get_u8("cube.spikes");
  std::copy(s.begin(), s.end(), spk_[cur_].begin() + pad_);
  output_ = a.get_u8("cube.output");
  history_ = std::move(history);
  frames_ = counters[0];
  runaway_steps_ = counters[1];
  focus_ = focus[0];
  focus_lagged_ = focus[1];
  last_spikes_ = 0;
  for (std::int64_t r = 0; r < rows_; ++r) {
    std::int32_t c = 0;
    for (std::int64_t x = 0; x < n_; ++x) c += spikes()[r * n_ + x];
    row_spikes_[static_cast<std::size_t>(cur_)][static_cast<std::size_t>(r)] = c;
    last_spikes_ += c;
  }
  stdp_pending_ = false;  // the checkpoint's weights have it applied
  std::fill(bad_.begin(), bad_.end(), std::uint8_t{0});
  if (readout_) readout_->load(a, "cube.");
}

std::uint64_t CubeModel::state_hash() const {
  settle();
  std::uint64_t h = 0xc0be5eed;
  h = hash_bytes(h, spikes(), static_cast<std::size_t>(count_));
  for (const auto& w : w_) h = hash_bytes(h, w.data(), w.size() * sizeof(float));
  h = hash_bytes(h, v_.data(), v_.size() * sizeof(float));
  h = hash_bytes(h, theta_.data(), theta_.size() * sizeof(float));
  h = hash_bytes(h, pre_trace(), static_cast<std::size_t>(count_) * sizeof(float));
  return readout_ ? readout_->hash(h) : h;
}

}  // namespace spikecube
