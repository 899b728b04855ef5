// Which voxels the 3D view uploads: active-only, slab ranges, io planes,
// spike flashes fading, and both ways models report sub-sampled grids.
#include <gtest/gtest.h>

#include "ui/instance_builder.hpp"

namespace spikecube::ui {
namespace {

// a 4 x 3 x 2 lattice; neuron i has potential i / 24, neuron 5 spiked
Snapshot lattice() {
  Snapshot s;
  s.neurons.dims = {4, 3, 2};
  s.neurons.stride = 1;
  for (int i = 0; i < 24; ++i) {
    s.neurons.potential.push_back(static_cast<float>(i) / 24.0f);
    s.neurons.spiked.push_back(i == 5 ? 1 : 0);
  }
  return s;
}

int count_kind(const std::vector<float>& v, VoxelKind k) {
  int n = 0;
  for (std::size_t i = 0; i < v.size(); i += kInstanceFloats)
    if (static_cast<int>(v[i + 5]) == static_cast<int>(k)) ++n;
  return n;
}

TEST(InstanceBuilder, ShowsEveryNeuronByDefault) {
  InstanceBuilder b;
  Snapshot s = lattice();
  b.age(s);
  std::vector<float> out;
  EXPECT_EQ(b.build(s, VoxelOptions{}, out), 24);
  EXPECT_EQ(out.size(), 24u * kInstanceFloats);
}

TEST(InstanceBuilder, GroupColourAndOutlinesOfShownGroups) {
  // a 4 x 4 x 2 lattice in groups of 2: four groups, (gy * 2 + gx)
  Snapshot s;
  s.neurons.dims = {4, 4, 2};
  s.neurons.stride = 1;
  s.neurons.potential.assign(32, 0.0f);
  s.neurons.spiked.assign(32, 0);
  s.neurons.potential[(1 * 4 + 1) * 4 + 3] = 1.0f;  // neuron (3, 1, 1): group (1, 0, 0)
  s.group_size = 2;
  s.group_potentials = {0.1f, 0.2f, 0.3f, 0.4f};
  InstanceBuilder b;
  b.age(s);
  VoxelOptions o;
  o.active_only = true;
  o.cut = 0.5f;
  o.group_colour = true;
  o.group_lines = true;
  std::vector<float> out;
  ASSERT_EQ(b.build(s, o, out), 1);
  EXPECT_FLOAT_EQ(out[3], 0.2f);                // the group's mean, not the neuron's 1.0
  EXPECT_EQ(b.group_lines().size(), 12u * 6u);  // one box: 12 edges
  o.group_colour = o.group_lines = false;
  ASSERT_EQ(b.build(s, o, out), 1);
  EXPECT_FLOAT_EQ(out[3], 1.0f);
  EXPECT_TRUE(b.group_lines().empty());
}

TEST(InstanceBuilder, ActiveOnlyKeepsSpikesAndPotentialsAboveTheCut) {
  InstanceBuilder b;
  Snapshot s = lattice();
  b.age(s);
  VoxelOptions o;
  o.active_only = true;
  o.cut = 20.0f / 24.0f;  // neurons 20..23
  std::vector<float> out;
  EXPECT_EQ(b.build(s, o, out), 5);  // 20, 21, 22, 23 and the spiking 5
  // the flash of neuron 5 fades over the next snapshots, then it disappears
  s.neurons.spiked.assign(24, 0);
  for (int k = 0; k < 6; ++k) b.age(s);
  EXPECT_EQ(b.build(s, o, out), 4);
}

TEST(InstanceBuilder, VoxelBudgetRaisesTheCutButKeepsSpikes) {
  InstanceBuilder b;
  Snapshot s = lattice();
  b.age(s);
  VoxelOptions o;
  o.active_only = true;
  o.cut = 0.0f;      // all 24 pass the cut
  o.max_voxels = 4;  // room for the spike and the 3 highest potentials
  std::vector<float> out;
  EXPECT_EQ(b.build(s, o, out), 4);
  EXPECT_FLOAT_EQ(b.effective_cut(), 21.0f / 24.0f);
  bool spike_kept = false;
  for (std::size_t i = 0; i < out.size(); i += kInstanceFloats) spike_kept = spike_kept || out[i + 4] == 1.0f;
  EXPECT_TRUE(spike_kept);
}

TEST(InstanceBuilder, SlabLimitsOneAxis) {
  InstanceBuilder b;
  Snapshot s = lattice();
  b.age(s);
  VoxelOptions o;
  o.slab_axis = 0;
  o.slab_lo = 1;
  o.slab_hi = 2;
  std::vector<float> out;
  EXPECT_EQ(b.build(s, o, out), 2 * 3 * 2);
  o.slab_axis = 2;
  o.slab_lo = 1;
  o.slab_hi = 1;
  EXPECT_EQ(b.build(s, o, out), 4 * 3);
}

TEST(InstanceBuilder, InputAndPredictionPlanesClassifyPixels) {
  InstanceBuilder b;
  Snapshot s = lattice();
  auto cfg = std::make_shared<Config>();
  cfg->n = 4;
  s.config = cfg;
  s.neurons.dims = {4, 4, 1};
  s.neurons.potential.assign(16, 0.0f);
  s.neurons.spiked.assign(16, 0);
  s.input.assign(16, 0);
  s.target.assign(16, 0);
  s.output.assign(16, 0);
  s.input[0] = 1;
  s.target[1] = s.output[1] = 1;  // hit
  s.target[2] = 1;                // miss
  s.output[3] = 1;                // false alarm
  b.age(s);
  std::vector<float> out;
  VoxelOptions o;
  o.active_only = true;
  o.cut = 0.5f;
  EXPECT_EQ(b.build(s, o, out), 4);
  EXPECT_EQ(count_kind(out, VoxelKind::kInput), 1);
  EXPECT_EQ(count_kind(out, VoxelKind::kHit), 1);
  EXPECT_EQ(count_kind(out, VoxelKind::kMiss), 1);
  EXPECT_EQ(count_kind(out, VoxelKind::kFalseAlarm), 1);
  o.io_planes = false;
  EXPECT_EQ(b.build(s, o, out), 0);
}

TEST(InstanceBuilder, AcceptsFullOrSubsampledDims) {
  NeuronView v;
  v.stride = 2;
  v.dims = {8, 8, 4};  // full lattice, every other neuron shown
  v.potential.assign(4 * 4 * 2, 0.0f);
  EXPECT_EQ(shown_dims(v).count(), 32);
  v.dims = {4, 4, 2};  // already the shown grid
  EXPECT_EQ(shown_dims(v).count(), 32);
}

TEST(InstanceBuilder, LayoutPutsInputInFrontAndOutputBehind) {
  const VoxelLayout l = make_layout({48, 48, 4});
  EXPECT_GT(l.input_wz(), l.wz(0));
  EXPECT_LT(l.output_wz(), l.wz(3));
  EXPECT_GT(l.z_spacing, 1.0f);  // thin lattices are spread out
  EXPECT_FLOAT_EQ(make_layout({48, 48, 48}).z_spacing, 1.0f);
}

// Seen along kViewDir without perspective, the io planes move sideways by
// io_gap * x / z against the lattice's end faces: more than a whole side, so
// the prediction plane never lies behind the lattice (the GUI tests check the
// rendered view, perspective included).
TEST(InstanceBuilder, IoPlanesClearTheLatticeSeenFromTheDefaultCamera) {
  for (const Dims d : {Dims{48, 48, 1}, Dims{48, 48, 4}, Dims{48, 48, 48}, Dims{24, 24, 24}}) {
    const VoxelLayout l = make_layout(d);
    const float shift = l.io_gap * kViewDir[0] / kViewDir[2];
    EXPECT_GT(shift, static_cast<float>(d.nx) + 1.4f) << d.nx << " x " << d.ny << " x " << d.nz;
    EXPECT_GT(l.half_z(), l.input_wz());    // the camera frames the input plane
    EXPECT_GT(l.half_z(), -l.output_wz());  // and the prediction plane
  }
}

}  // namespace
}  // namespace spikecube::ui
