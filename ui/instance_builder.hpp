#pragma once
// Turns a Snapshot into the per-instance array of the voxel view: one record
// per visible voxel, so only what is shown goes to the GPU. Qt-free (plain
// floats), so the selection rules are unit-tested without a display.
//
// World layout (lattice units, y flipped so that row 0 is at the top as in the
// 2D panels): neuron (x, y, z) sits at (x - cx, cy - y, cz - z * z_spacing);
// the input face z = 0 is nearest the default camera. The input frame is drawn
// as a plane io_gap in front of z = 0 and the prediction io_gap behind
// z = L-1. Thin lattices (the layer model, cube-4) get z_spacing > 1 so each
// plane stays visible, and io_gap is wide enough that, seen from the default
// camera (kViewDir), neither io plane lies behind the lattice: input, network
// and prediction appear side by side, like an exploded drawing.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/model.hpp"
#include "ui/snapshot.hpp"

namespace spikecube::ui {

// Instance kinds (the shader colours each differently).
enum class VoxelKind : int { kNeuron = 0, kInput = 1, kHit = 2, kFalseAlarm = 3, kMiss = 4 };

struct VoxelOptions {
  bool active_only = false;  // only neurons that spiked recently or have v/theta >= cut
  float cut = 0.9f;          // v/theta threshold of "active"
  int slab_axis = 2;         // 0 = x, 1 = y, 2 = z
  int slab_lo = 0;           // inclusive lattice coordinates along slab_axis
  int slab_hi = 1 << 30;
  bool io_planes = true;  // draw the input frame and the prediction
  // In active-only mode, at most this many neurons are drawn (0 = no limit):
  // spiking and flashing ones first, then the highest potentials, so the
  // effective cut rises when a lattice sits near threshold (keeps software
  // rendering usable on 48^3).
  int max_voxels = 12000;
  // groups model: colour each neuron by its group's mean v/theta, and
  // collect the outline boxes of the groups that hold a drawn neuron
  bool group_colour = false;
  bool group_lines = false;
};

// Direction from the scene's centre to the default camera: to the right,
// somewhat above and in front of the input face. Steep to the side so that a
// plane io_gap behind the lattice shows beside it, not behind it.
inline constexpr float kViewDir[3] = {1.4f, 0.6f, 1.0f};

struct VoxelLayout {
  int nx = 0, ny = 0, nz = 0;
  float z_spacing = 1;
  float io_gap = 2;
  // world position of lattice point (x, y, z); z may be fractional or outside [0, nz)
  float wx(float x) const { return x - 0.5f * static_cast<float>(nx - 1); }
  float wy(float y) const { return 0.5f * static_cast<float>(ny - 1) - y; }
  float wz(float z) const { return 0.5f * static_cast<float>(nz - 1) * z_spacing - z * z_spacing; }
  float input_wz() const { return wz(0) + io_gap; }
  float output_wz() const { return wz(static_cast<float>(nz - 1)) - io_gap; }
  // Half-extents of the box holding everything drawn (labels included),
  // centred on the world origin.
  float half_x() const { return 0.5f * static_cast<float>(nx) + 1.0f; }
  float half_y() const { return 0.5f * static_cast<float>(ny) + label_margin(); }
  float half_z() const { return input_wz() + 1.0f; }
  // Height of the plane labels, and the room they take above and below.
  float label_height() const { return 0.055f * static_cast<float>(std::max(nx, ny)); }
  float label_margin() const { return 1.5f * label_height(); }
};

VoxelLayout make_layout(const Dims& dims);

// The grid a NeuronView holds. Models may report in dims either the full
// lattice (with stride > 1 meaning every stride-th neuron is shown) or the
// sub-sampled grid itself; both are accepted. The views work in shown-grid
// units throughout.
Dims shown_dims(const NeuronView& v);

// Floats per instance: x, y, z, value (v/theta), flash (0..1), kind.
inline constexpr int kInstanceFloats = 6;

class InstanceBuilder {
 public:
  // Call once per new snapshot: spikes light a neuron's flash, which fades
  // over the next few snapshots. A new generation (reset) clears it.
  void age(const Snapshot& s);
  // Fills out with the visible voxels; returns the number of instances.
  int build(const Snapshot& s, const VoxelOptions& opt, std::vector<float>& out);
  // The cut actually applied by the last build (> opt.cut when the voxel
  // budget raised it).
  float effective_cut() const { return effective_cut_; }
  const std::vector<float>& flash() const { return flash_; }
  // With opt.group_lines: line segments (6 floats each, two world points)
  // outlining every group that holds a neuron drawn by the last build.
  const std::vector<float>& group_lines() const { return group_lines_; }

  static constexpr float kFade = 0.55f;  // flash multiplier per snapshot (gone after ~5)

 private:
  std::vector<float> flash_;
  std::uint64_t generation_ = ~std::uint64_t{0};
  float effective_cut_ = 0;
  std::vector<float> scratch_;
  std::vector<float> group_lines_;
  std::vector<char> group_seen_;
};

}  // namespace spikecube::ui
