#include "core/lattice.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/rng.hpp"

namespace spikecube {

const char* lattice_direction_name(int d) {
  static constexpr const char* kNames[kLatticeDirections] = {"xp", "xm", "yp", "ym", "zp", "zm"};
  return kNames[d];
}

LatticeParams LatticeParams::from(const Config& cfg, int link_period, Slab slab) {
  LatticeParams p;
  if (slab.total == 0) slab = {0, cfg.depth, cfg.depth};
  p.slab = slab;
  p.n = cfg.n;
  p.depth = static_cast<int>(slab.count);
  p.nn = static_cast<std::int64_t>(cfg.n) * cfg.n;
  p.count = p.nn * p.depth;
  p.rows = static_cast<std::int64_t>(cfg.n) * p.depth;
  p.first_index = slab.first * p.nn;
  p.below = slab.first > 0;
  p.above = slab.first + slab.count < slab.total;
  p.plane.resize(static_cast<std::size_t>(p.depth));
  p.any_refractory = p.any_noise = p.any_plastic = p.any_lateral = false;
  for (int z = 0; z < p.depth; ++z) {
    const int zg = z + static_cast<int>(slab.first);  // the layer's global z
    const Config c = cfg.overrides.empty() ? Config{} : layer_config(cfg, zg);
    const Config& lc = cfg.overrides.empty() ? cfg : c;
    PlaneRules& r = p.plane[static_cast<std::size_t>(z)];
    r.neuron = NeuronParams::from(lc);
    if (lc.bias_decay > 0.0)
      r.neuron.bias = static_cast<float>(lc.bias * std::exp(-static_cast<double>(zg) / lc.bias_decay));
    r.gain = {static_cast<float>(lc.gain_xp), static_cast<float>(lc.gain_xm), static_cast<float>(lc.gain_yp),
              static_cast<float>(lc.gain_ym), static_cast<float>(lc.gain_zp), static_cast<float>(lc.gain_zm)};
    const std::array<double, kLatticeDirections> lr = {lc.lr_xp, lc.lr_xm, lc.lr_yp, lc.lr_ym, lc.lr_zp, lc.lr_zm};
    for (std::size_t d = 0; d < lr.size(); ++d)
      r.rule[d] = {static_cast<float>(lc.a_plus * lr[d]), static_cast<float>(lc.a_minus * lr[d]),
                   static_cast<float>(lc.w_max), lc.multiplicative};
    r.density = {lc.density_xp, lc.density_xm, lc.density_yp, lc.density_ym, lc.density_zp, lc.density_zm};
    r.w_max = lc.w_max;
    r.plastic = lc.plastic;
    r.lateral_radius = lc.lateral_radius;
    r.lateral_gain = static_cast<float>(lc.lateral_gain);
    r.lateral_rule = {static_cast<float>(lc.a_plus), static_cast<float>(lc.a_minus), static_cast<float>(lc.w_max),
                      lc.multiplicative};
    p.any_lateral = p.any_lateral || r.lateral_radius > 0;
    p.any_refractory = p.any_refractory || r.neuron.refractory > 0;
    p.any_noise = p.any_noise || r.neuron.noise > 0.0f;
    p.any_plastic = p.any_plastic || r.plastic;
  }
  p.seed = cfg.seed;
  p.set_link_period(link_period);

  p.neuron = NeuronParams::from(cfg);
  p.decay_plus = static_cast<float>(std::exp(-1.0 / cfg.tau_plus));
  p.decay_minus = static_cast<float>(std::exp(-1.0 / cfg.tau_minus));
  p.two_traces = cfg.tau_plus != cfg.tau_minus;
  p.nearest = cfg.nearest;
  p.plastic = cfg.plastic;
  p.weight_decay = cfg.decay > 0.0;
  p.weight_keep = 1.0f - static_cast<float>(cfg.decay);
  p.input_gain = static_cast<float>(cfg.input_gain);
  p.patch_radius = cfg.patch_radius;
  p.substeps = cfg.substeps;
  p.normalize = cfg.normalize;
  p.inhibition = cfg.inhibition == "layer"   ? Inhibition::kLayer
                 : cfg.inhibition == "group" ? Inhibition::kGroup
                                             : Inhibition::kNone;
  p.inhibition_gain = static_cast<float>(cfg.inhibition_gain);
  p.inhibition_k = cfg.inhibition_k;
  p.group = std::max(1, cfg.group);
  return p;
}

void LatticeParams::set_link_period(int p) {
  link_period = std::max(1, p);
  const auto period = static_cast<std::int64_t>(link_period);
  for (auto& live : plane_links) live.assign(static_cast<std::size_t>(nn), 0);
  for (std::int64_t y = 0; y < n; ++y)
    for (std::int64_t x = 0; x < n; ++x) {
      const auto k = static_cast<std::size_t>(y * n + x);
      plane_links[kLatticeXp][k] = x > 0 && x % period == 0;
      plane_links[kLatticeXm][k] = x < n - 1 && (x + 1) % period == 0;
      plane_links[kLatticeYp][k] = y > 0 && y % period == 0;
      plane_links[kLatticeYm][k] = y < n - 1 && (y + 1) % period == 0;
    }
  z_links.assign(static_cast<std::size_t>(depth), 0);
  for (std::int64_t z = 0; z < depth; ++z) {
    const std::int64_t zg = z + slab.first;  // the links' existence is the whole lattice's
    unsigned bits = 0;
    if (zg > 0 && zg % period == 0) bits |= 1u << kLatticeZp;
    if (zg < slab.total - 1 && (zg + 1) % period == 0) bits |= 1u << kLatticeZm;
    z_links[static_cast<std::size_t>(z)] = static_cast<std::uint8_t>(bits);
  }
  // the density masks: link i of direction d exists when a uniform draw of
  // (seed, kLinkMask, d) at i is below the density of i's layer
  for (int d = 0; d < kLatticeDirections; ++d) {
    auto& mask = sparse[static_cast<std::size_t>(d)];
    mask.clear();
    bool any = false;
    for (const PlaneRules& r : plane) any = any || r.density[static_cast<std::size_t>(d)] < 1.0;
    if (!any) continue;
    mask.assign(static_cast<std::size_t>(count), 0);
    const std::uint64_t key = rng::key(seed, Stream::kLinkMask, static_cast<std::uint64_t>(d));
    for (std::int64_t z = 0; z < depth; ++z) {
      const double density = plane[static_cast<std::size_t>(z)].density[static_cast<std::size_t>(d)];
      const bool z_live = d < kLatticeZp || ((z_links[static_cast<std::size_t>(z)] >> d) & 1u) != 0;
      for (std::int64_t k = 0; k < nn; ++k) {
        const std::int64_t i = z * nn + k;
        const bool live =
            z_live && (d >= kLatticeZp || plane_links[static_cast<std::size_t>(d)][static_cast<std::size_t>(k)] != 0);
        const auto global = static_cast<std::uint64_t>(i + first_index);
        mask[static_cast<std::size_t>(i)] = live && rng::uniform(key, global) < density ? 1 : 0;
      }
    }
  }
}

bool LatticeParams::link_exists(int d, std::int64_t i) const {
  const auto& mask = sparse[static_cast<std::size_t>(d)];
  if (!mask.empty()) return mask[static_cast<std::size_t>(i)] != 0;
  const std::int64_t z = i / nn, k = i % nn;
  if (d >= kLatticeZp) return ((z_links[static_cast<std::size_t>(z)] >> d) & 1u) != 0;
  return plane_links[static_cast<std::size_t>(d)][static_cast<std::size_t>(k)] != 0;
}

bool LatticeParams::has_link(int d, int x, int y, int z) const {
  switch (d) {
    case kLatticeXp: return x > 0;
    case kLatticeXm: return x < n - 1;
    case kLatticeYp: return y > 0;
    case kLatticeYm: return y < n - 1;
    case kLatticeZp: return z + slab.first > 0;
    case kLatticeZm: return z + slab.first < slab.total - 1;
    default: return false;
  }
}

void LatticeState::fields(FieldVisitor& f, std::int64_t count) {
  const auto N = static_cast<std::size_t>(count);
  f.field("cube.spikes", std::span<std::uint8_t>(spikes(), N), FieldRole::kStep);
  for (int d = 0; d < kLatticeDirections; ++d)
    f.field(std::string("cube.w_") + lattice_direction_name(d), std::span<float>(w[static_cast<std::size_t>(d)]),
            FieldRole::kStep);
  f.field("cube.w_lateral", std::span<float>(w_lateral), FieldRole::kStep);
  f.field("cube.v", std::span<float>(v), FieldRole::kStep);
  f.field("cube.theta", std::span<float>(theta), FieldRole::kStep);
  f.field("cube.trace_pre", std::span<float>(pre_trace(), N), FieldRole::kStep);
  f.field("cube.trace_post", std::span<float>(trace_post), FieldRole::kStep);
  f.field("cube.refractory", std::span<std::uint8_t>(refr), FieldRole::kStep);
  f.field("cube.output", std::span<std::uint8_t>(output), FieldRole::kFrame);
  f.field("cube.history", history, FieldRole::kFrame);
  f.field("cube.counters", std::span<std::int64_t>(counters), FieldRole::kFrame);
  f.field("cube.focus", std::span<double>(focus), FieldRole::kFrame);
}

}  // namespace spikecube
