#include "core/cube_model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/rng.hpp"

namespace spikecube {
namespace {

// Runaway: at least half of the lattice firing for this many frames in a
// row. Waves of cube-48 fire a few percent; a saturated lattice fires every
// neuron that is not refractory.
constexpr std::int64_t kRunawaySteps = 500;
constexpr double kRunawayRate = 0.5;
constexpr int kFocusRadius = 3;
// neurons per block of the integration pass (whole rows, at least one)
constexpr std::int64_t kBlock = 2048;

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
  trace_pre_.assign(N, 0.0f);
  if (two_traces_) trace_post_.assign(N, 0.0f);
  // padding lets the gather read i +- n*n and the spike scan read whole
  // 8-byte words without bounds checks; padding bytes stay 0
  pad_ = nn_ + 64;
  for (auto& s : spk_) s.assign(N + 2 * static_cast<std::size_t>(pad_), 0);
  row_spikes_.assign(static_cast<std::size_t>(rows_), 0);
  bad_.assign(static_cast<std::size_t>(pool_.size()), 0);
  scratch_.assign(static_cast<std::size_t>(pool_.size()),
                  std::vector<float>(static_cast<std::size_t>(std::max<std::int64_t>(1, kBlock / n_) * n_), 0.0f));
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
  // sizes, seed, threshold rule and trace layout are fixed for a model's life
  const bool two = cfg.tau_plus != cfg.tau_minus;
  if (two && !two_traces_) {  // the shared trace was both (less the spike sign bit)
    trace_post_.resize(trace_pre_.size());
    for (std::size_t i = 0; i < trace_pre_.size(); ++i) trace_post_[i] = std::fabs(trace_pre_[i]);
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
  const float* w[6];
  float g[6];
  float rho, bias, sigma, v_reset, theta_fixed, theta0, eta, r_target, th_min, th_max, a_decay, a_jump;
  float dp, dm;
  std::uint8_t hold;
  bool nearest;
  std::int64_t n, nn;
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
    // STDP reads a neighbour's trace and spike from one cache line: the
    // spike of this step is the sign of the (non-negative) pre trace
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

template <ThresholdRule kRule, bool kRefr, bool kNoise, bool kTwoTraces>
void CubeModel::integrate_rows(std::int64_t row_begin, std::int64_t row_end, std::uint32_t noise_key, int worker) {
  RowArgs a{};
  a.prev = spk_[1 - cur_].data() + pad_;
  a.out = spk_[cur_].data() + pad_;
  a.v = v_.data();
  a.th = theta_.data();
  a.tp = trace_pre_.data();
  a.tm = trace_post_.data();
  a.refr = refr_.data();
  for (int d = 0; d < kDirections; ++d) {
    a.w[d] = w_[static_cast<std::size_t>(d)].data();
    a.g[d] = gain_[static_cast<std::size_t>(d)];
  }
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
  a.n = n_;
  a.nn = nn_;
  a.noise_key = noise_key;
  const float g_in = static_cast<float>(cfg_.input_gain);
  const float keep = 1.0f - static_cast<float>(cfg_.decay);
  const bool weight_decay = cfg_.decay > 0.0;
  float* c = scratch_[static_cast<std::size_t>(worker)].data();
  const std::int64_t n = n_;
  // blocks of whole rows: long loops vectorise well, and the row buffer of
  // currents stays in L1
  const std::int64_t block_rows = std::max<std::int64_t>(1, kBlock / n);
  bool bad = false;
  for (std::int64_t rb = row_begin; rb < row_end; rb += block_rows) {
    const std::int64_t re = std::min(row_end, rb + block_rows);
    const std::int64_t b = rb * n, e = re * n;
    gather_range(a.prev, a.w[0], a.w[1], a.w[2], a.w[3], a.w[4], a.w[5], a.g, c, b, e, n, nn_);
    if (drive_any_ && b < nn_) {
      for (std::int64_t i = b; i < std::min(e, nn_); ++i) c[i - b] += g_in * static_cast<float>(drive_[static_cast<std::size_t>(i)]);
    }
    if (weight_decay) {
      for (auto& w : w_)
        for (std::int64_t i = b; i < e; ++i) w[static_cast<std::size_t>(i)] *= keep;
    }
    if (extra_current_ != nullptr)
      for (std::int64_t i = b; i < e; ++i) c[i - b] += extra_current_[i];
    for (const auto& inj : injected_)
      if (inj.index >= b && inj.index < e) c[inj.index - b] += inj.current;
    integrate_range<kRule, kRefr, kNoise, kTwoTraces>(a, c, b, e, bad);
    for (std::int64_t r = rb; r < re; ++r) row_spikes_[static_cast<std::size_t>(r)] = count_row(a.out + r * n, n);
  }
  if (bad) bad_[static_cast<std::size_t>(worker)] = 1;
}

void CubeModel::integrate_part(int worker, std::uint32_t noise_key) {
  const auto [rb, re] = ThreadPool::partition(rows_, pool_.size(), worker);
  const bool refr = !refr_.empty(), noise = np_.noise > 0.0f, two = two_traces_;
  auto go = [&]<ThresholdRule R>() {
    if (refr) {
      if (noise) two ? integrate_rows<R, true, true, true>(rb, re, noise_key, worker) : integrate_rows<R, true, true, false>(rb, re, noise_key, worker);
      else two ? integrate_rows<R, true, false, true>(rb, re, noise_key, worker) : integrate_rows<R, true, false, false>(rb, re, noise_key, worker);
    } else {
      if (noise) two ? integrate_rows<R, false, true, true>(rb, re, noise_key, worker) : integrate_rows<R, false, true, false>(rb, re, noise_key, worker);
      else two ? integrate_rows<R, false, false, true>(rb, re, noise_key, worker) : integrate_rows<R, false, false, false>(rb, re, noise_key, worker);
    }
  };
  switch (np_.rule) {
    case ThresholdRule::kFixed: go.template operator()<ThresholdRule::kFixed>(); break;
    case ThresholdRule::kAdaptive: go.template operator()<ThresholdRule::kAdaptive>(); break;
    case ThresholdRule::kHomeostatic: go.template operator()<ThresholdRule::kHomeostatic>(); break;
  }
}

// Event-driven STDP over the spiking neurons of rows [row_begin, row_end).
// A link changes only when its source or its target spiked. The target
// updates all its in-links (potentiation, plus depression when the source
// spiked too); the source updates its out-links whose target did not spike
// (depression). So each link is written once, by one thread.
namespace {

// The two links of direction d at spiking neuron k: its in-link from
// j = k - off (potentiation, plus depression if j spiked too) and its
// out-link to i = k + off (depression, unless i spiked: then i's own in-link
// update covers it). x_tr carries each neuron's spike of this step in its
// sign bit; y_tr is the post trace (x_tr itself when there is one trace).
template <int kDir>
inline void update_links(float* __restrict w, const float* __restrict x_tr, const float* __restrict y_tr,
                         std::int64_t k, std::int64_t off, bool in_ok, bool out_ok, float x_k, float y_k,
                         const LinkRule& rule) {
  if (in_ok) {
    const float xj = x_tr[k - off];
    w[k] = stdp_link(w[k], std::fabs(xj), y_k, std::signbit(xj), true, rule);
  }
  if (out_ok) {
    const std::int64_t i = k + off;
    if (!std::signbit(x_tr[i])) w[i] = stdp_link(w[i], x_k, std::fabs(y_tr[i]), true, false, rule);
  }
}

}  // namespace

void CubeModel::plasticity_rows(std::int64_t row_begin, std::int64_t row_end) {
  const std::uint8_t* __restrict s = spk_[cur_].data() + pad_;
  const float* __restrict x_tr = trace_pre_.data();
  const float* __restrict y_tr = two_traces_ ? trace_post_.data() : trace_pre_.data();
  float* w0 = w_[0].data();
  float* w1 = w_[1].data();
  float* w2 = w_[2].data();
  float* w3 = w_[3].data();
  float* w4 = w_[4].data();
  float* w5 = w_[5].data();
  const std::int64_t n = n_, nn = nn_, last_z = depth_ - 1;
  const LinkRule r0 = rule_[0], r1 = rule_[1], r2 = rule_[2], r3 = rule_[3], r4 = rule_[4], r5 = rule_[5];
  // Spikes are gathered a chunk at a time into a list (with each neuron's
  // face flags, so no division is needed per spike), then the list is
  // processed with prefetches a few spikes ahead: a spike's links lie in ~12
  // cache lines spread over +-n*n neurons, and waiting on them one at a time
  // is what makes this loop slow.
  constexpr std::size_t kChunk = 1024;
  std::array<std::int64_t, kChunk> list;
  std::array<std::uint8_t, kChunk> flags;  // bit d set: the in-link of direction d has a source
  std::size_t count = 0;
  auto process = [&] {
    constexpr std::size_t kAhead = 4;
    for (std::size_t m = 0; m < count; ++m) {
      if (m + kAhead < count) {
        const std::int64_t p = list[m + kAhead];
        __builtin_prefetch(x_tr + p - nn);
        __builtin_prefetch(x_tr + p + nn);
        __builtin_prefetch(x_tr + p - n);
        __builtin_prefetch(x_tr + p + n);
        __builtin_prefetch(w2 + p + n, 1);
        __builtin_prefetch(w3 + p - n, 1);
        __builtin_prefetch(w4 + p + nn, 1);
        __builtin_prefetch(w5 + p - nn, 1);
        __builtin_prefetch(w4 + p, 1);
        __builtin_prefetch(w5 + p, 1);
      }
      const std::int64_t k = list[m];
      const unsigned f = flags[m];
      const float x_k = std::fabs(x_tr[k]), y_k = std::fabs(y_tr[k]);
      // the in-link of +x has a source when x > 0 (bit kXp); its out-link has a
      // target when x < n-1, i.e. when the in-link of -x has a source (bit kXm)
      update_links<kXp>(w0, x_tr, y_tr, k, 1, f & 1u, f & 2u, x_k, y_k, r0);
      update_links<kXm>(w1, x_tr, y_tr, k, -1, f & 2u, f & 1u, x_k, y_k, r1);
      update_links<kYp>(w2, x_tr, y_tr, k, n, f & 4u, f & 8u, x_k, y_k, r2);
      update_links<kYm>(w3, x_tr, y_tr, k, -n, f & 8u, f & 4u, x_k, y_k, r3);
      update_links<kZp>(w4, x_tr, y_tr, k, nn, f & 16u, f & 32u, x_k, y_k, r4);
      update_links<kZm>(w5, x_tr, y_tr, k, -nn, f & 32u, f & 16u, x_k, y_k, r5);
    }
    count = 0;
  };
  for (std::int64_t r = row_begin; r < row_end; ++r) {
    if (row_spikes_[static_cast<std::size_t>(r)] == 0) continue;
    const std::int64_t y = r % n, z = r / n;
    const std::int64_t base = r * n;
    const unsigned row_flags = (y > 0 ? 4u : 0u) | (y < n - 1 ? 8u : 0u) | (z > 0 ? 16u : 0u) | (z < last_z ? 32u : 0u);
    for (std::int64_t x0 = 0; x0 < n; x0 += 64) {
      // one bit per byte of the next 64 spikes (bytes are 0 or 1): the
      // multiply gathers the low bit of each of 8 bytes into the top byte
      std::uint64_t mask = 0;
      for (int q = 0; q < 8; ++q) {
        std::uint64_t word;
        std::memcpy(&word, s + base + x0 + 8 * q, 8);
        mask |= ((word * 0x0102040810204080ULL) >> 56) << (8 * q);
      }
      if (n - x0 < 64) mask &= (std::uint64_t{1} << (n - x0)) - 1;  // bits past the row
      while (mask != 0) {
        const std::int64_t x = x0 + std::countr_zero(mask);
        mask &= mask - 1;
        list[count] = base + x;
        flags[count] = static_cast<std::uint8_t>(row_flags | (x > 0 ? 1u : 0u) | (x < n - 1 ? 2u : 0u));
        if (++count == kChunk) process();
      }
    }
  }
  process();
}

void CubeModel::neural_step(std::int64_t neural_step) {
  before_currents();
  cur_ = 1 - cur_;
  const std::uint32_t noise_key = rng::key32(rng::key(seed_, Stream::kNoise, static_cast<std::uint64_t>(neural_step)));
  pool_.run([&](int t) { integrate_part(t, noise_key); });
  injected_.clear();
  if (cfg_.plastic) {
    pool_.run([&](int t) {
      const auto [rb, re] = ThreadPool::partition(rows_, pool_.size(), t);
      plasticity_rows(rb, re);
    });
    after_plasticity();
  }
  std::int64_t total = 0;
  for (std::int32_t c : row_spikes_) total += c;
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

  runaway_steps_ = firing_rate() >= kRunawayRate ? runaway_steps_ + 1 : 0;
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
        if (row_spikes_[static_cast<std::size_t>(z * n_ + y)] == 0) continue;
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
  for (std::int64_t r = 0; r < rows_; ++r) out[static_cast<std::size_t>(r / n_)] += row_spikes_[static_cast<std::size_t>(r)];
  for (double& v : out) v /= static_cast<double>(nn_);
}

Health CubeModel::health() const {
  for (std::uint8_t b : bad_)
    if (b) return Health::kNonFinite;
  if (runaway_steps_ >= kRunawaySteps) return Health::kRunaway;
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
  b += row_spikes_.size() * sizeof(std::int32_t);
  return b;
}

void CubeModel::save(StateArchive& a) const {
  const auto N = static_cast<std::size_t>(count_);
  for (int d = 0; d < kDirections; ++d) a.f32[std::string("cube.w_") + kDirName[d]] = w_[static_cast<std::size_t>(d)];
  a.f32["cube.v"] = v_;
  a.f32["cube.theta"] = theta_;
  a.f32["cube.trace_pre"] = trace_pre_;
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
  trace_pre_ = a.get_f32("cube.trace_pre");
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
    row_spikes_[static_cast<std::size_t>(r)] = c;
    last_spikes_ += c;
  }
  std::fill(bad_.begin(), bad_.end(), std::uint8_t{0});
  if (readout_) readout_->load(a, "cube.");
}

std::uint64_t CubeModel::state_hash() const {
  std::uint64_t h = 0xc0be5eed;
  h = hash_bytes(h, spikes(), static_cast<std::size_t>(count_));
  for (const auto& w : w_) h = hash_bytes(h, w.data(), w.size() * sizeof(float));
  h = hash_bytes(h, v_.data(), v_.size() * sizeof(float));
  h = hash_bytes(h, theta_.data(), theta_.size() * sizeof(float));
  h = hash_bytes(h, trace_pre_.data(), trace_pre_.size() * sizeof(float));
  return readout_ ? readout_->hash(h) : h;
}

}  // namespace spikecube
