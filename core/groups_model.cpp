#include "core/groups_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/rng.hpp"

// The intra-group STDP has an AVX-512 kernel for 4 x 4 tiles
// (stdp_group_tiles); the loops of stdp_group are the reference, and tests
// check that both give bit-identical weights (CubeModel::portable_kernels).
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && !defined(SPIKECUBE_NO_INTRINSICS)
#include <immintrin.h>
#define SPIKECUBE_GROUPS_AVX512 1
#else
#define SPIKECUBE_GROUPS_AVX512 0
#endif

namespace spikecube {
namespace {

// the cube base is built from the config, so check g before it is
const Config& checked(const Config& cfg) {
  if (cfg.group < 1 || cfg.n % cfg.group != 0 || cfg.depth % cfg.group != 0) validate(cfg);
  return cfg;
}

// Block layout (see the header): T x T tiles of T sources by T targets, tile
// (tj, ti) at (tj*tiles + ti)*T*T, link j -> i at (j%T)*T + i%T inside it.

// acc[i] += w(j -> i) over all targets i: T floats from each tile of row tj
template <int T>
void add_column(const float* __restrict blk, std::int64_t tiles, std::int64_t j, float* __restrict acc) {
  const float* __restrict p = blk + (j / T) * tiles * T * T + (j % T) * T;
  for (std::int64_t ti = 0; ti < tiles; ++ti)
    for (int c = 0; c < T; ++c) acc[ti * T + c] += p[ti * T * T + c];
}

// All intra-group link updates of one group for its spiking members spk
// (ascending): a spiking target updates its in-links, a spiking source its
// out-links to targets that did not spike. row is scratch of G floats.
template <int T>
void stdp_group(float* blk, std::int64_t tiles, const int* spk, std::size_t nspk, const float* __restrict xs,
                const float* __restrict ys, const std::uint8_t* __restrict ss, const LinkRule& rule,
                float* __restrict row) {
  const std::int64_t G = tiles * T;
  for (std::size_t q = 0; q < nspk; ++q) {
    const std::int64_t k = spk[q];
    const std::int64_t kt = k / T, kc = k % T;
    // in-links j -> k: one column of T floats in each tile of tile-column kt;
    // gathered first (loads only, so the misses overlap), updated as one
    // vector, scattered back; the self-link is put back to 0
    float* in = blk + kt * T * T + kc;
    for (std::int64_t tj = 0; tj < tiles; ++tj)
      for (int js = 0; js < T; ++js) row[tj * T + js] = in[tj * tiles * T * T + js * T];
    const float yk = ys[k];
    for (std::int64_t j = 0; j < G; ++j) row[j] = stdp_link(row[j], xs[j], yk, ss[j] != 0, true, rule);
    row[k] = 0.0f;
    for (std::int64_t tj = 0; tj < tiles; ++tj)
      for (int js = 0; js < T; ++js) in[tj * tiles * T * T + js * T] = row[tj * T + js];
    // out-links k -> i whose target did not spike: depression (a spiking
    // target's own in-link pass covers the others)
    float* out = blk + kt * tiles * T * T + kc * T;
    const float xk = xs[k];
    // (gathered into row, updated as one vector without branches, the
    // spiking targets keeping their weight, scattered back)
    for (std::int64_t ti = 0; ti < tiles; ++ti)
      for (int c = 0; c < T; ++c) row[ti * T + c] = out[ti * T * T + c];
    for (std::int64_t i = 0; i < G; ++i) {
      const float nw = stdp_link(row[i], xk, ys[i], true, false, rule);
      row[i] = ss[i] ? row[i] : nw;
    }
    for (std::int64_t ti = 0; ti < tiles; ++ti)
      for (int c = 0; c < T; ++c) out[ti * T * T + c] = row[ti * T + c];
  }
}

#if SPIKECUBE_GROUPS_AVX512
// stdp_group for T = 4, on the tiles in place: a 4 x 4 tile is one 16-float
// vector (lane 4 js + c: source 4 tj + js, target 4 ti + c), so the in-links
// of k are lanes kc, kc + 4, kc + 8, kc + 12 of the tiles (tj, kt) and its
// out-links lanes 4 kc .. 4 kc + 3 of the tiles (kt, ti): each is updated
// under a lane mask with no gather or scatter. Every link changes at most
// once per step (a link between two spiking members in its target's pass
// only), so the order of the updates does not matter, and each link's
// arithmetic is stdp_link's (as in the lattice's stdp_six: a term selected or
// +0 instead of multiplied by 1 or 0, max then min for the clamp).
constexpr std::int64_t kMaxTiles = 1024;  // G <= 4096 (g <= 16); larger groups take stdp_group

template <bool kMultiplicative>
void stdp_group_tiles(float* blk, std::int64_t tiles, const int* spk, std::size_t nspk, const float* __restrict xs,
                      const float* __restrict ys, const std::uint8_t* __restrict ss, const LinkRule& rule) {
  const __m512 zero = _mm512_setzero_ps();
  const __mmask16 all = 0xffff;
  const __m512 a_plus = _mm512_set1_ps(rule.a_plus), a_minus = _mm512_set1_ps(rule.a_minus);
  const __m512 w_max = _mm512_set1_ps(rule.w_max);
  // lane l of a tile row's vector holds source 4 tj + l / 4 (the maskz
  // forms of the permutes with all lanes: g++ 12's plain ones warn)
  const __m512i by_source = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  // and target 4 ti + l % 4
  const __m512i by_target = _mm512_set_epi32(3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0);
  // per tile index t: the lanes whose source (spiking_src) or target
  // (spiking_dst) is a spiking member
  __mmask16 spiking_src[kMaxTiles], spiking_dst[kMaxTiles];
  for (std::int64_t t = 0; t < tiles; ++t) {
    unsigned src = 0, dst = 0;
    for (int q = 0; q < 4; ++q)
      if (ss[4 * t + q]) {
        src |= 0xfu << (4 * q);
        dst |= 0x1111u << q;
      }
    spiking_src[t] = static_cast<__mmask16>(src);
    spiking_dst[t] = static_cast<__mmask16>(dst);
  }
  auto clamp = [&](__m512 v) { return _mm512_maskz_min_ps(all, _mm512_maskz_max_ps(all, v, zero), w_max); };
  for (std::size_t q = 0; q < nspk; ++q) {
    const std::int64_t k = spk[q];
    const std::int64_t kt = k / 4, kc = k % 4;
    // in-links j -> k (potentiation by x_j; depression by y_k where j spiked)
    const __m512 dep_k = _mm512_mul_ps(a_minus, _mm512_set1_ps(ys[k]));
    const auto in_lanes = static_cast<__mmask16>(0x1111u << kc);
    for (std::int64_t tj = 0; tj < tiles; ++tj) {
      float* tile = blk + (tj * tiles + kt) * 16;
      // the self-link k -> k stays 0
      const auto lanes = static_cast<__mmask16>(tj == kt ? in_lanes & ~(1u << (5 * kc)) : in_lanes);
      const __m512 w = _mm512_loadu_ps(tile);
      const __m512 x = _mm512_maskz_permutexvar_ps(all, by_source, _mm512_maskz_loadu_ps(0xf, xs + 4 * tj));
      __m512 pot = _mm512_mul_ps(a_plus, x);
      __m512 dep = dep_k;
      if constexpr (kMultiplicative) {
        pot = _mm512_mul_ps(pot, _mm512_sub_ps(w_max, w));
        dep = _mm512_mul_ps(dep, w);
      }
      dep = _mm512_maskz_mov_ps(spiking_src[tj], dep);
      _mm512_mask_storeu_ps(tile, lanes, clamp(_mm512_sub_ps(_mm512_add_ps(w, pot), dep)));
    }
    // out-links k -> i whose target did not spike: depression by y_i
    const auto out_lanes = static_cast<__mmask16>(0xfu << (4 * kc));
    for (std::int64_t ti = 0; ti < tiles; ++ti) {
      float* tile = blk + (kt * tiles + ti) * 16;
      const auto lanes = static_cast<__mmask16>(out_lanes & ~spiking_dst[ti]);
      if (lanes == 0) continue;
      const __m512 w = _mm512_loadu_ps(tile);
      const __m512 y = _mm512_maskz_permutexvar_ps(all, by_target, _mm512_maskz_loadu_ps(0xf, ys + 4 * ti));
      __m512 dep = _mm512_mul_ps(a_minus, y);
      if constexpr (kMultiplicative) dep = _mm512_mul_ps(dep, w);
      // the potentiation term is +-0 here (the target did not spike): w + +-0 is w
      _mm512_mask_storeu_ps(tile, lanes, clamp(_mm512_sub_ps(w, dep)));
    }
  }
}
#endif

}  // namespace

namespace {
constexpr std::size_t kHuge = std::size_t{2} << 20;
constexpr std::size_t kHugeFrom = std::size_t{4} << 20;
}  // namespace

void* allocate_weight_blocks(std::size_t bytes) {
  if (bytes < kHugeFrom) return ::operator new (bytes, std::align_val_t{64});
  void* p = ::operator new (bytes, std::align_val_t{kHuge});
#if defined(__linux__)
  madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without huge pages it still works
#endif
  return p;
}

void free_weight_blocks(void* p, std::size_t bytes) {
  ::operator delete (p, std::align_val_t{bytes < kHugeFrom ? 64 : kHuge});
}

GroupsModel::GroupsModel(const Config& cfg, RankComm& comm)
    : CubeModel(checked(cfg), comm),
      g_(cfg.group),
      gsize_(static_cast<std::int64_t>(cfg.group) * cfg.group * cfg.group),
      per_axis_(cfg.n / cfg.group),
      per_depth_(slab().count / cfg.group),
      groups_(static_cast<std::int64_t>(cfg.n / cfg.group) * (cfg.n / cfg.group) * per_depth_),
      first_group_(slab().first / cfg.group * (cfg.n / cfg.group) * (cfg.n / cfg.group)),
      side_(cfg.n),
      plane_(static_cast<std::int64_t>(cfg.n) * cfg.n) {
  const std::int64_t count = params().count;
  const int depth = params().depth;  // the slab's planes
  set_phases(this);
  // lattice links inside a group do not exist here: the cube drew them, zero
  // them, and keep its STDP off them
  set_link_period(cfg.group);
  for (int d = 0; d < kDirections; ++d) {
    auto& w = lattice_weights(d);
    for (int z = 0; z < depth; ++z)
      for (int y = 0; y < cfg.n; ++y)
        for (int x = 0; x < cfg.n; ++x)
          if (!has_inter_link(d, x, y, z)) w[static_cast<std::size_t>(index(x, y, z))] = 0.0f;
  }
  offset_.resize(static_cast<std::size_t>(gsize_));
  for (int lz = 0; lz < g_; ++lz)
    for (int ly = 0; ly < g_; ++ly)
      for (int lx = 0; lx < g_; ++lx)
        offset_[static_cast<std::size_t>((lz * g_ + ly) * g_ + lx)] = (lz * side_ + ly) * side_ + lx;
  tile_ = gsize_ % 4 == 0 ? 4 : 1;
  tiles_ = gsize_ / tile_;
  if (gsize_ > 1) {
    // w_ij(0) = min(lo + (hi - lo) u, w_max) / G, u from (seed, group) at j*G + i
    const auto G = static_cast<std::size_t>(gsize_);
    intra_.assign(static_cast<std::size_t>(groups_) * G * G, 0.0f);
    const double lo = cfg.w_init_lo, span = cfg.w_init_hi - cfg.w_init_lo, scale = 1.0 / static_cast<double>(gsize_);
    for (std::int64_t b = 0; b < groups_; ++b) {
      const std::uint64_t key = rng::key(cfg.seed, Stream::kInitGroups, static_cast<std::uint64_t>(first_group_ + b));
      float* blk = intra_.data() + static_cast<std::size_t>(b) * G * G;
      for (std::size_t j = 0; j < G; ++j)
        for (std::size_t i = 0; i < G; ++i) {
          if (i == j) continue;
          const double u = span > 0 ? rng::uniform(key, j * G + i) : 0.0;
          blk[slot(static_cast<std::int64_t>(j), static_cast<std::int64_t>(i))] =
              static_cast<float>(std::min(lo + span * u, cfg.w_max) * scale);
        }
    }
    current_.assign(static_cast<std::size_t>(count), 0.0f);
    driven_.assign(static_cast<std::size_t>(groups_), 0);
    scratch_.resize(static_cast<std::size_t>(pool().size()));
    for (auto& s : scratch_) {
      s.acc.assign(G, 0.0f);
      s.x.assign(G, 0.0f);
      s.y.assign(G, 0.0f);
      s.s.assign(G, 0);
      s.spiking.reserve(G);
    }
  }
  set_intra_rule_from(cfg);
}

GroupsModel::~GroupsModel() = default;

void GroupsModel::set_intra_rule_from(const Config& cfg) {
  const double inv = 1.0 / static_cast<double>(gsize_);
  intra_rule_.a_plus = static_cast<float>(cfg.a_plus * inv);
  intra_rule_.a_minus = static_cast<float>(cfg.a_minus * inv);
  intra_rule_.w_max = static_cast<float>(cfg.w_max * inv);
  intra_rule_.multiplicative = cfg.multiplicative;
  group_gain_ = static_cast<float>(cfg.group_gain);
  keep_ = 1.0f - static_cast<float>(cfg.decay);
}

void GroupsModel::update_params(const Config& cfg) {
  CubeModel::update_params(cfg);
  set_intra_rule_from(cfg);
  current_valid_ = false;  // group_gain may have changed
}

std::int64_t GroupsModel::group_of(int x, int y, int z) const {
  return (static_cast<std::int64_t>(z / g_) * per_axis_ + y / g_) * per_axis_ + x / g_;
}

std::int64_t GroupsModel::group_base(std::int64_t b) const {
  const std::int64_t gx = b % per_axis_, gy = (b / per_axis_) % per_axis_, gz = b / (per_axis_ * per_axis_);
  return (gz * g_ * side_ + gy * g_) * side_ + gx * g_;
}

bool GroupsModel::has_inter_link(int d, int x, int y, int z) const {
  if (!has_link(d, x, y, z)) return false;
  // the source sits on the other side of a group face exactly when the
  // coordinate crossed is a multiple of g on the target's (or source's) side
  switch (d) {
    case kXp: return x % g_ == 0;
    case kXm: return (x + 1) % g_ == 0;
    case kYp: return y % g_ == 0;
    case kYm: return (y + 1) % g_ == 0;
    case kZp: return z % g_ == 0;
    case kZm: return (z + 1) % g_ == 0;
    default: return false;
  }
}

GroupsModel::LinkCounts GroupsModel::link_counts() const {
  LinkCounts c;
  const Dims d = slab_dims();
  for (int z = 0; z < d.nz; ++z)
    for (int y = 0; y < d.ny; ++y)
      for (int x = 0; x < d.nx; ++x)
        for (int dir = 0; dir < kDirections; ++dir) c.inter += has_inter_link(dir, x, y, z) ? 1 : 0;
  for (std::int64_t b = 0; b < groups_; ++b)
    for (std::int64_t j = 0; j < gsize_; ++j)
      for (std::int64_t i = 0; i < gsize_; ++i) c.intra += i != j ? 1 : 0;
  return c;
}

const float* GroupsModel::group_currents() {
  if (gsize_ <= 1) return nullptr;  // g = 1: no intra-group links, the cube as it is
  // the last STDP pass already computed this step's intra-group current while
  // each block was in cache; otherwise (stdp.plastic off, first step, after a
  // load or a parameter change) compute it here
  if (!current_valid_) {
    pool().run([&](int t) {
      const auto [gb, ge] = ThreadPool::partition(groups_, pool().size(), t);
      currents_part(gb, ge, scratch_[static_cast<std::size_t>(t)]);
    });
  }
  current_valid_ = false;  // consumed by this step
  if (keep_ != 1.0f) {
    // slow weight decay, after the current as in the cube (stdp.decay > 0 only)
    pool().run([&](int t) {
      const auto [gb, ge] = ThreadPool::partition(groups_, pool().size(), t);
      const std::int64_t GG = gsize_ * gsize_;
      for (std::int64_t k = gb * GG; k < ge * GG; ++k) intra_[static_cast<std::size_t>(k)] *= keep_;
    });
  }
  return current_.data();
}

// spiking members of group b in ascending local index
void GroupsModel::collect_spikes(std::int64_t b, const std::uint8_t* s, Scratch& w) const {
  const std::int64_t base = group_base(b);
  const std::int64_t* off = offset_.data();
  w.spiking.clear();
  for (std::int64_t l = 0; l < gsize_; ++l)
    if (s[base + off[l]]) w.spiking.push_back(static_cast<int>(l));
}

// intra-group current of group b for the next neural step from the spikes in
// w.spiking: the sum of the spiking sources' columns in ascending local
// index, times the gain
void GroupsModel::group_current(std::int64_t b, const int* spiking, std::size_t count, Scratch& w) {
  const std::int64_t G = gsize_;
  const std::int64_t base = group_base(b);
  const std::int64_t* off = offset_.data();
  float* cur = current_.data();
  if (count == 0) {
    if (driven_[static_cast<std::size_t>(b)]) {
      for (std::int64_t l = 0; l < G; ++l) cur[base + off[l]] = 0.0f;
      driven_[static_cast<std::size_t>(b)] = 0;
    }
    return;
  }
  const float* blk = intra_.data() + b * G * G;
  float* __restrict acc = w.acc.data();
  std::fill(acc, acc + G, 0.0f);
  for (std::size_t q = 0; q < count; ++q) {
    if (tile_ == 4) add_column<4>(blk, tiles_, spiking[q], acc);
    else add_column<1>(blk, tiles_, spiking[q], acc);
  }
  const float gain = group_gain_;
  for (std::int64_t l = 0; l < G; ++l) cur[base + off[l]] = gain * acc[l];
  driven_[static_cast<std::size_t>(b)] = 1;
}

void GroupsModel::currents_part(std::int64_t gb, std::int64_t ge, Scratch& w) {
  const std::uint8_t* s = spikes();  // still the last step's spikes
  for (std::int64_t b = gb; b < ge; ++b) {
    collect_spikes(b, s, w);
    group_current(b, w.spiking.data(), w.spiking.size(), w);
  }
}

void GroupsModel::group_plasticity() {
  if (gsize_ <= 1) return;
  pool().run([&](int t) {
    const auto [gb, ge] = ThreadPool::partition(groups_, pool().size(), t);
    plasticity_part(gb, ge, scratch_[static_cast<std::size_t>(t)]);
  });
  current_valid_ = true;  // plasticity_part summed the next step's current
}

// Event-driven STDP of the intra-group links of groups [gb, ge). All writes
// stay in the group.
void GroupsModel::plasticity_part(std::int64_t gb, std::int64_t ge, Scratch& w) {
  const std::uint8_t* s = spikes();  // this step's spikes
  const float* pre = pre_trace();
  const float* post = post_trace();
  const std::int64_t G = gsize_, g = g_;
  const std::int64_t* off = offset_.data();
  float* __restrict xs = w.x.data();
  float* __restrict ys = w.y.data();
  std::uint8_t* __restrict ss = w.s.data();
  const LinkRule rule = intra_rule_;
  // first the spiking members of every group (groups without any get a zero
  // current for the next step), so that the blocks of the next active group
  // can be prefetched while one is processed: a block is 4 G^2 bytes far from
  // the last one, and its in-link rows are G apart
  w.all.clear();
  w.active.clear();
  for (std::int64_t b = gb; b < ge; ++b) {
    const std::int64_t base = group_base(b);
    const auto first = w.all.size();
    for (std::int64_t l = 0; l < G; ++l)
      if (s[base + off[l]]) w.all.push_back(static_cast<int>(l));
    if (w.all.size() == first) {
      group_current(b, nullptr, 0, w);  // the next step's intra-group current is 0
      continue;
    }
    w.active.push_back({b, first, w.all.size()});
  }
  auto prefetch = [&](const Scratch::Active& a) {
    // the group's traces, one row of g neurons at a time
    const std::int64_t gbase = group_base(a.group);
    for (std::int64_t r = 0; r < g * g; ++r) {
      __builtin_prefetch(pre + gbase + off[r * g], 0, 2);
      if (post != pre) __builtin_prefetch(post + gbase + off[r * g], 0, 2);
    }
    const float* blk = intra_.data() + a.group * G * G;
    for (std::size_t q = a.begin; q < a.end; ++q) {
      const std::int64_t k = w.all[q];
      // the lines of k's in-links (one per tile row) and of its out-links
      // (one per tile of its tile row); with T = 1 every 16th of the latter
      const std::int64_t T = tile_, TT = T * T, kt = k / T, kc = k % T;
      for (std::int64_t tj = 0; tj < tiles_; ++tj) __builtin_prefetch(blk + (tj * tiles_ + kt) * TT + kc, 0, 2);
      for (std::int64_t ti = 0; ti < tiles_; ti += (T == 1 ? 16 : 1))
        __builtin_prefetch(blk + (kt * tiles_ + ti) * TT + kc * T, 0, 2);
    }
  };
  // groups prefetched ahead of the one processed. The prefetches go to L2
  // (locality 2: prefetcht1), not to L1: a few hundred lines in flight to
  // L1 filled its miss buffers, and the prefetch instructions themselves
  // stalled the core (measured on the EPYC: groups 48^3, g = 4, 660-780 ->
  // 960-1,070 steps/s)
  constexpr std::size_t kAhead = 4;
  for (std::size_t ai = 0; ai < std::min(kAhead, w.active.size()); ++ai) prefetch(w.active[ai]);
  for (std::size_t ai = 0; ai < w.active.size(); ++ai) {
    if (ai + kAhead < w.active.size()) prefetch(w.active[ai + kAhead]);
    const std::int64_t b = w.active[ai].group;
    const int* spk = w.all.data() + w.active[ai].begin;
    const std::size_t nspk = w.active[ai].end - w.active[ai].begin;
    const std::int64_t base = group_base(b);
    for (std::int64_t l = 0; l < G; ++l) {
      const std::int64_t i = base + off[l];
      xs[l] = std::fabs(pre[i]);   // x_l(t-1)
      ys[l] = std::fabs(post[i]);  // y_l(t-1)
      ss[l] = s[i];
    }
    float* blk = intra_.data() + b * G * G;
    float* __restrict row = w.acc.data();
#if SPIKECUBE_GROUPS_AVX512
    if (tile_ == 4 && tiles_ <= kMaxTiles && !portable_kernels) {
      if (rule.multiplicative) stdp_group_tiles<true>(blk, tiles_, spk, nspk, xs, ys, ss, rule);
      else stdp_group_tiles<false>(blk, tiles_, spk, nspk, xs, ys, ss, rule);
    } else
#endif
    if (tile_ == 4) stdp_group<4>(blk, tiles_, spk, nspk, xs, ys, ss, rule, row);
    else stdp_group<1>(blk, tiles_, spk, nspk, xs, ys, ss, rule, row);
    // the next step's intra-group current, while the block is in cache
    group_current(b, spk, nspk, w);
  }
}

void GroupsModel::group_potentials(std::vector<float>& out) const {
  NeuronView v;
  view(v, 0);  // every neuron, in index order
  out.assign(static_cast<std::size_t>(groups_), 0.0f);
  std::vector<double> sum(static_cast<std::size_t>(groups_), 0.0);
  const Dims d = slab_dims();
  std::size_t k = 0;
  for (int z = 0; z < d.nz; ++z)
    for (int y = 0; y < d.ny; ++y)
      for (int x = 0; x < d.nx; ++x, ++k) sum[static_cast<std::size_t>(group_of(x, y, z))] += v.potential[k];
  for (std::size_t b = 0; b < sum.size(); ++b) out[b] = static_cast<float>(sum[b] / static_cast<double>(gsize_));
}

void GroupsModel::fields(FieldVisitor& v) {
  v.field("groups.w_intra", std::span<float>(intra_.data(), intra_.size()), FieldRole::kStep);
}

// the intra-group current and which groups it drives: rebuilt from the
// spikes, so not state
std::size_t GroupsModel::work_bytes() const { return current_.size() * sizeof(float) + driven_.size(); }

void GroupsModel::load(const StateArchive& a) {
  // validate what only this model knows before the cube loads (and checks) the rest
  agree_on([&] { check_groups(a); });
  CubeModel::load(a);  // the intra-group weights too (fields())
  // the intra-group current is recomputed from the spikes before it is used
  std::fill(current_.begin(), current_.end(), 0.0f);
  std::fill(driven_.begin(), driven_.end(), std::uint8_t{0});
  current_valid_ = false;
}

void GroupsModel::check_groups(const StateArchive& a) const {
  const Dims d = slab_dims();
  const auto N = static_cast<long long>(d.count());
  for (int dir = 0; dir < kDirections; ++dir) {
    const std::string name = std::string("cube.w_") + lattice_direction_name(dir);
    const auto& w = a.get_f32(name, N);
    for (int z = 0; z < d.nz; ++z)
      for (int y = 0; y < d.ny; ++y)
        for (int x = 0; x < d.nx; ++x)
          if (has_link(dir, x, y, z) && !has_inter_link(dir, x, y, z) &&
              w[static_cast<std::size_t>(index(x, y, z))] != 0.0f)
            throw StateError("checkpoint: array '" + name +
                             "' has a weight on a lattice link inside a group (no such link in the groups model)");
  }
  const auto& intra = a.get_f32("groups.w_intra", static_cast<long long>(intra_.size()));
  for (std::size_t k = 0; k < intra.size(); ++k)
    if (!(intra[k] >= 0.0f && intra[k] <= 1.0e30f))
      throw StateError("checkpoint: array 'groups.w_intra' holds a negative or non-finite weight at element " +
                       std::to_string(k));
  for (std::int64_t b = 0; b < (intra.empty() ? 0 : groups_); ++b)
    for (std::int64_t j = 0; j < gsize_; ++j)
      if (intra[static_cast<std::size_t>(intra_index(b, j, j))] != 0.0f)
        throw StateError("checkpoint: array 'groups.w_intra' holds a self-link weight (group " +
                         std::to_string(first_group_ + b) + ", neuron " + std::to_string(j) + ")");
}

}  // namespace spikecube
