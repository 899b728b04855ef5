#include "ui/instance_builder.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace spikecube::ui {
namespace {

void push(std::vector<float>& out, float x, float y, float z, float value, float flash, VoxelKind kind) {
  out.insert(out.end(), {x, y, z, value, flash, static_cast<float>(static_cast<int>(kind))});
}

}  // namespace

Dims shown_dims(const NeuronView& v) {
  const int st = std::max(v.stride, 1);
  if (st == 1 || static_cast<std::size_t>(v.dims.count()) == v.potential.size()) return v.dims;
  return {(v.dims.nx + st - 1) / st, (v.dims.ny + st - 1) / st, (v.dims.nz + st - 1) / st};
}

VoxelLayout make_layout(const Dims& d) {
  VoxelLayout l;
  l.nx = std::max(d.nx, 1);
  l.ny = std::max(d.ny, 1);
  l.nz = std::max(d.nz, 1);
  // spread thin lattices out so that every plane (input, layers, output) shows
  const float side = static_cast<float>(std::max(l.nx, l.ny));
  l.z_spacing = std::max(1.0f, 0.8f * side / static_cast<float>(l.nz + 2));
  // seen along kViewDir, a plane moved io_gap away from the lattice's end
  // face shifts sideways by io_gap * kViewDir[0] / kViewDir[2]; 1.5 times the
  // side (not 1) because perspective pulls far planes back towards the near
  // ones, most in wide windows where the fitted camera comes closest, and
  // the voxels have depth
  l.io_gap = std::max(l.z_spacing, 1.5f * side * kViewDir[2] / kViewDir[0]);
  return l;
}

void InstanceBuilder::age(const Snapshot& s) {
  const auto& v = s.neurons;
  if (s.generation != generation_ || flash_.size() != v.spiked.size()) {
    flash_.assign(v.spiked.size(), 0.0f);
    generation_ = s.generation;
  }
  for (std::size_t i = 0; i < flash_.size(); ++i) flash_[i] = v.spiked[i] ? 1.0f : flash_[i] * kFade;
}

int InstanceBuilder::build(const Snapshot& s, const VoxelOptions& opt, std::vector<float>& out) {
  out.clear();
  const NeuronView& v = s.neurons;
  const Dims d = shown_dims(v);
  const VoxelLayout l = make_layout(d);
  const int sx = d.nx, sy = d.ny, sz = d.nz;
  const std::size_t count = std::min(v.potential.size(), static_cast<std::size_t>(d.count()));
  const bool have_flash = flash_.size() == v.potential.size();

  int lo[3] = {0, 0, 0}, hi[3] = {sx - 1, sy - 1, sz - 1};
  if (opt.slab_axis >= 0 && opt.slab_axis < 3) {
    lo[opt.slab_axis] = std::max(lo[opt.slab_axis], opt.slab_lo);
    hi[opt.slab_axis] = std::min(hi[opt.slab_axis], opt.slab_hi);
  }

  // voxel budget: if more non-flashing neurons pass the cut than fit, raise
  // the cut to the potential of the last one that fits
  float cut = opt.cut;
  if (opt.active_only && opt.max_voxels > 0) {
    scratch_.clear();
    int flashing = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const float fl = have_flash ? flash_[i] : (v.spiked[i] ? 1.0f : 0.0f);
      if (fl >= 0.1f) ++flashing;
      else if (v.potential[i] >= cut) scratch_.push_back(v.potential[i]);
    }
    const auto room = static_cast<std::size_t>(std::max(0, opt.max_voxels - flashing));
    if (scratch_.size() > room) {
      if (room == 0) {
        cut = std::numeric_limits<float>::infinity();
      } else {
        std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(room - 1), scratch_.end(),
                         std::greater<float>());
        cut = scratch_[room - 1];
      }
    }
  }
  effective_cut_ = cut;

  // groups: lattice coordinate = shown coordinate * stride; group = lattice / g
  const int st = std::max(v.stride, 1);
  const int g = s.group_size;
  const int n_lat = s.config ? s.config->n : sx * st;
  const int gn = g > 0 ? n_lat / g : 0;  // groups along x and y
  const std::size_t gxy = static_cast<std::size_t>(gn) * static_cast<std::size_t>(gn);
  const bool groups = g > 0 && gn > 0 && !s.group_potentials.empty() && s.group_potentials.size() % gxy == 0;
  const int gnz = groups ? static_cast<int>(s.group_potentials.size() / gxy) : 0;
  auto group_of = [&](int x, int y, int z) -> long {
    const int gx = x * st / g, gy = y * st / g, gz = z * st / g;
    if (gx >= gn || gy >= gn || gz >= gnz) return -1;
    return (static_cast<long>(gz) * gn + gy) * gn + gx;
  };
  const bool colour_by_group = groups && opt.group_colour;
  const bool lines = groups && opt.group_lines;
  group_lines_.clear();
  if (lines) group_seen_.assign(s.group_potentials.size(), 0);

  for (int z = lo[2]; z <= hi[2]; ++z) {
    const float wz = l.wz(static_cast<float>(z));
    for (int y = lo[1]; y <= hi[1]; ++y) {
      const float wy = l.wy(static_cast<float>(y));
      const std::size_t row = (static_cast<std::size_t>(z) * sy + y) * sx;
      if (row >= count) break;
      for (int x = lo[0]; x <= hi[0]; ++x) {
        const std::size_t i = row + x;
        if (i >= count) break;
        const float pot = v.potential[i];
        const float fl = have_flash ? flash_[i] : (v.spiked[i] ? 1.0f : 0.0f);
        if (opt.active_only && fl < 0.1f && !(pot >= cut)) continue;
        float value = pot;
        if (colour_by_group || lines) {
          const long gi = group_of(x, y, z);
          if (gi >= 0) {
            if (colour_by_group) value = s.group_potentials[static_cast<std::size_t>(gi)];
            if (lines) group_seen_[static_cast<std::size_t>(gi)] = 1;
          }
        }
        push(out, l.wx(static_cast<float>(x)), wy, wz, std::isfinite(value) ? value : 0.0f, fl, VoxelKind::kNeuron);
      }
    }
  }

  if (lines) {
    // 12 edges of each marked group's box, in world units (boxes that touch
    // draw their shared edges twice; at most a few thousand segments)
    const float gs = static_cast<float>(g) / static_cast<float>(st);  // group side in shown units
    for (std::size_t gi = 0; gi < group_seen_.size(); ++gi) {
      if (!group_seen_[gi]) continue;
      const auto ugn = static_cast<std::size_t>(gn);
      const auto gx = static_cast<float>(gi % ugn), gy = static_cast<float>((gi / ugn) % ugn),
                 gz = static_cast<float>(gi / gxy);
      const float xa = l.wx(gx * gs - 0.5f), xb = l.wx((gx + 1) * gs - 0.5f);
      const float ya = l.wy(gy * gs - 0.5f), yb = l.wy((gy + 1) * gs - 0.5f);
      const float za = l.wz(gz * gs - 0.5f), zb = l.wz((gz + 1) * gs - 0.5f);
      auto seg = [&](float ax, float ay, float az, float bx, float by, float bz) {
        group_lines_.insert(group_lines_.end(), {ax, ay, az, bx, by, bz});
      };
      for (float zz : {za, zb}) {
        seg(xa, ya, zz, xb, ya, zz);
        seg(xb, ya, zz, xb, yb, zz);
        seg(xb, yb, zz, xa, yb, zz);
        seg(xa, yb, zz, xa, ya, zz);
      }
      seg(xa, ya, za, xa, ya, zb);
      seg(xb, ya, za, xb, ya, zb);
      seg(xb, yb, za, xb, yb, zb);
      seg(xa, yb, za, xa, yb, zb);
    }
  }

  if (opt.io_planes) {
    const int n = s.config ? s.config->n : d.nx;
    const float f = static_cast<float>(d.nx) / static_cast<float>(std::max(n, 1));  // frame px -> shown grid
    const auto pixels = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    if (s.input.size() == pixels) {
      for (std::size_t p = 0; p < pixels; ++p) {
        if (!s.input[p]) continue;
        const auto px = static_cast<float>(p % n), py = static_cast<float>(p / n);
        push(out, l.wx(px * f), l.wy(py * f), l.input_wz(), 1.0f, 0.0f, VoxelKind::kInput);
      }
    }
    if (s.output.size() == pixels && s.target.size() == pixels) {
      for (std::size_t p = 0; p < pixels; ++p) {
        const bool o = s.output[p] != 0, t = s.target[p] != 0;
        if (!o && !t) continue;
        const VoxelKind k = o && t ? VoxelKind::kHit : (o ? VoxelKind::kFalseAlarm : VoxelKind::kMiss);
        const auto px = static_cast<float>(p % n), py = static_cast<float>(p / n);
        push(out, l.wx(px * f), l.wy(py * f), l.output_wz(), 1.0f, 0.0f, k);
      }
    }
  }
  return static_cast<int>(out.size() / kInstanceFloats);
}

}  // namespace spikecube::ui
