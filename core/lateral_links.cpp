#include "core/lateral_links.hpp"

#include <algorithm>
#include <cmath>

#include "core/lattice_stdp.hpp"
#include "core/rng.hpp"

namespace spikecube {

void LateralLinks::build(const LatticeParams& p) {
  layers_.clear();
  weights_ = 0;
  for (int z = 0; z < p.depth; ++z) {
    const int r = p.plane[static_cast<std::size_t>(z)].lateral_radius;
    if (r <= 0) continue;
    Layer l;
    l.z = z;
    l.start = static_cast<std::int64_t>(weights_);
    for (int dy = -r; dy <= r; ++dy)
      for (int dx = -r; dx <= r; ++dx)
        if (std::abs(dx) + std::abs(dy) > 1) l.offset.emplace_back(dx, dy);  // not itself, not a lattice neighbour
    weights_ += static_cast<std::size_t>(p.nn) * l.offset.size();
    layers_.push_back(std::move(l));
  }
}

template <class Fn>
void LateralLinks::for_targets(const LatticeParams& p, std::int64_t b, std::int64_t e, Fn&& fn) const {
  for (std::int64_t t = b; t < e; ++t) {
    const Layer& l = layers_[static_cast<std::size_t>(t / p.nn)];
    const std::int64_t k = t % p.nn;
    fn(l, static_cast<int>(k % p.n), static_cast<int>(k / p.n));
  }
}

void LateralLinks::init_weights(const LatticeParams& p, double lo, double hi, std::vector<float>& w) const {
  w.assign(weights_, 0.0f);
  const double span = hi - lo;
  for (const Layer& l : layers_) {
    const std::uint64_t key = rng::key(p.seed, Stream::kInitLateral, static_cast<std::uint64_t>(l.z));
    const double w_max = p.plane[static_cast<std::size_t>(l.z)].w_max;
    const auto K = static_cast<std::int64_t>(l.offset.size());
    for (int y = 0; y < p.n; ++y)
      for (int x = 0; x < p.n; ++x)
        for (std::int64_t q = 0; q < K; ++q) {
          const auto [dx, dy] = l.offset[static_cast<std::size_t>(q)];
          if (x + dx < 0 || x + dx >= p.n || y + dy < 0 || y + dy >= p.n) continue;
          const std::int64_t local = (static_cast<std::int64_t>(y) * p.n + x) * K + q;
          const double u = span > 0 ? rng::uniform(key, static_cast<std::uint64_t>(local)) : 0.0;
          w[static_cast<std::size_t>(l.start + local)] = static_cast<float>(std::min(lo + span * u, w_max));
        }
  }
}

bool LateralLinks::on_grid(const LatticeParams& p, std::size_t link) const {
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (static_cast<std::int64_t>(link) < it->start) continue;
    const auto K = static_cast<std::int64_t>(it->offset.size());
    const std::int64_t local = static_cast<std::int64_t>(link) - it->start;
    const std::int64_t k = local / K;
    const auto [dx, dy] = it->offset[static_cast<std::size_t>(local % K)];
    const std::int64_t x = k % p.n + dx, y = k / p.n + dy;
    return x >= 0 && x < p.n && y >= 0 && y < p.n;
  }
  return false;
}

std::int64_t LateralLinks::link_count(const LatticeParams& p) const {
  std::int64_t c = 0;
  for (std::size_t q = 0; q < weights_; ++q) c += on_grid(p, q) ? 1 : 0;
  return c;
}

void LateralLinks::currents(const LatticeParams& p, const std::vector<float>& w, const std::uint8_t* s, float* out,
                            ThreadPool& pool) const {
  const std::int64_t targets = static_cast<std::int64_t>(layers_.size()) * p.nn;
  pool.run([&](int t) {
    const auto [b, e] = ThreadPool::partition(targets, pool.size(), t);
    for_targets(p, b, e, [&](const Layer& l, int x, int y) {
      const auto K = l.offset.size();
      const std::int64_t plane = static_cast<std::int64_t>(l.z) * p.nn;
      const float* wi = w.data() + l.start + (static_cast<std::int64_t>(y) * p.n + x) * static_cast<std::int64_t>(K);
      float sum = 0.0f;
      for (std::size_t q = 0; q < K; ++q) {
        const int sx = x + l.offset[q].first, sy = y + l.offset[q].second;
        if (sx < 0 || sx >= p.n || sy < 0 || sy >= p.n) continue;
        sum += wi[q] * static_cast<float>(s[plane + static_cast<std::int64_t>(sy) * p.n + sx]);
      }
      out[plane + static_cast<std::int64_t>(y) * p.n + x] = p.plane[static_cast<std::size_t>(l.z)].lateral_gain * sum;
    });
  });
}

void LateralLinks::plasticity(const LatticeParams& p, std::vector<float>& w, const std::uint8_t* s, const float* x_pre,
                              const float* y_post, ThreadPool& pool) const {
  const std::int64_t targets = static_cast<std::int64_t>(layers_.size()) * p.nn;
  pool.run([&](int t) {
    const auto [b, e] = ThreadPool::partition(targets, pool.size(), t);
    for_targets(p, b, e, [&](const Layer& l, int x, int y) {
      const PlaneRules& r = p.plane[static_cast<std::size_t>(l.z)];
      if (!r.plastic) return;
      const auto K = l.offset.size();
      const std::int64_t plane = static_cast<std::int64_t>(l.z) * p.nn;
      const std::int64_t i = plane + static_cast<std::int64_t>(y) * p.n + x;
      float* wi = w.data() + l.start + (static_cast<std::int64_t>(y) * p.n + x) * static_cast<std::int64_t>(K);
      const bool si = s[i] != 0;
      for (std::size_t q = 0; q < K; ++q) {
        const int sx = x + l.offset[q].first, sy = y + l.offset[q].second;
        if (sx < 0 || sx >= p.n || sy < 0 || sy >= p.n) continue;
        const std::int64_t j = plane + static_cast<std::int64_t>(sy) * p.n + sx;
        const bool sj = s[j] != 0;
        if (si || sj) wi[q] = stdp_link(wi[q], std::fabs(x_pre[j]), std::fabs(y_post[i]), sj, si, r.lateral_rule);
      }
    });
  });
}

}  // namespace spikecube
