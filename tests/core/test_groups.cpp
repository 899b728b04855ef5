// Tests of the groups model (docs/groups.md): link counts by hand, intra-group
// currents and STDP against a hand-computed spike train, the g = 1 reduction
// to the cube, determinism across runs, thread counts and checkpoints, and
// the configuration of g.
#include <gtest/gtest.h>

#include "tests/core/lattice_fixtures.hpp"

#include <array>
#include <cmath>
#include <numeric>

#include "core/cube_model.hpp"
#include "core/groups_model.hpp"
#include "core/lattice_stdp.hpp"
#include "core/simulation.hpp"

namespace spikecube {
namespace {

using test::Driver;
using test::quiet_lattice;
using test::run_hash;
using test::with_every_option;

template <typename Floats>
std::int64_t nonzero(const Floats& v) {
  return std::count_if(v.begin(), v.end(), [](float w) { return w != 0.0f; });
}

TEST(GroupsGeometry, LinkCountsOfAnEightCube) {
  // 8 x 8 x 8 = 512 neurons.
  // g = 2: 4^3 = 64 groups of G = 8; intra 64 * 8 * 7 = 3,584 links.
  //   Lattice links across group faces: along x the faces sit between x = 1|2,
  //   3|4, 5|6 (3 faces), each crossed by 8 * 8 = 64 neuron pairs, both ways:
  //   3 * 64 * 2 = 384 per axis, 3 axes: 1,152. (The cube has 3 * 7 * 64 * 2 =
  //   2,688 lattice links; the other 1,536 = 64 groups * 12 edges * 2 lie
  //   inside groups and do not exist here.)
  // g = 4: 2^3 = 8 groups of G = 64; intra 8 * 64 * 63 = 32,256 links.
  //   One face per axis (x = 3|4): 1 * 64 * 2 = 128 per axis, 384 in all.
  struct Case {
    int g;
    std::int64_t intra, inter;
  };
  for (const Case& k : {Case{2, 3584, 1152}, Case{4, 32256, 384}}) {
    Config c = quiet_lattice(8, 8, k.g);
    c.w_init_lo = 0.05;
    c.w_init_hi = 0.15;
    GroupsModel m(c);
    const auto counts = m.link_counts();
    EXPECT_EQ(counts.intra, k.intra) << "g = " << k.g;
    EXPECT_EQ(counts.inter, k.inter) << "g = " << k.g;
    // the stored weights agree: every existing link starts above 0, every
    // other slot (self-links, lattice links inside a group) is 0
    std::int64_t lattice = 0;
    for (int d = 0; d < CubeModel::kDirections; ++d) lattice += nonzero(m.weights(d));
    EXPECT_EQ(lattice, k.inter) << "g = " << k.g;
    EXPECT_EQ(nonzero(m.intra_weights()), k.intra) << "g = " << k.g;
    EXPECT_EQ(m.groups(), 512 / (k.g * k.g * k.g));
  }
}

TEST(GroupsGeometry, InitialIntraWeightsUseTheOneOverGCubedScale) {
  Config c = quiet_lattice(4, 4, 2);
  c.w_init_lo = 0.05;
  c.w_init_hi = 0.15;
  GroupsModel m(c);
  const auto& w = m.intra_weights();
  ASSERT_EQ(w.size(), 8u * 64u);  // 8 groups, 8 x 8 blocks
  double sum = 0;
  for (std::int64_t b = 0; b < m.groups(); ++b)
    for (int j = 0; j < 8; ++j)
      for (int i = 0; i < 8; ++i) {
        const float x = m.intra_weight(b, j, i);
        if (i == j) {
          EXPECT_EQ(x, 0.0f);
          continue;
        }
        EXPECT_GE(x, 0.05f / 8.0f);
        EXPECT_LE(x, 0.15f / 8.0f);
        sum += x;
      }
  EXPECT_NEAR(sum / (8.0 * 56.0), 0.1 / 8.0, 0.002);
  // group and local indices
  EXPECT_EQ(m.group_of(3, 0, 0), 1);
  EXPECT_EQ(m.group_of(0, 2, 0), 2);
  EXPECT_EQ(m.group_of(3, 3, 3), 7);
  EXPECT_EQ(m.local_index(3, 2, 1), 4 + 0 + 1);
}

TEST(GroupsCurrent, OneSpikeDrivesItsGroupOnly) {
  // 4 x 4 x 2 with g = 2: intra weights 0.1 / 8; a gain of 96 gives each
  // group-mate 1.2 >= theta from one spike. Lattice links across faces are
  // 0.1 < theta, so the spike does not leave its group. With STDP on, the
  // current comes out of the STDP pass; with STDP off, out of its own pass.
  for (bool plastic : {true, false}) {
    Config c = quiet_lattice(4, 2, 2);
    c.group_gain = 96.0;
    c.plastic = plastic;
    GroupsModel m(c);
    Driver drv(4);
    const std::int64_t a = m.index(1, 1, 0);
    m.inject(a, 5.0f);
    drv.step(m);
    ASSERT_EQ(m.firing_rate(), 1.0 / 32.0);
    drv.step(m);
    // the 7 others of group (0, 0, 0) fire, nobody else (a has been reset)
    for (int z = 0; z < 2; ++z)
      for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) {
          const bool mate = x < 2 && y < 2 && m.index(x, y, z) != a;
          EXPECT_EQ(m.spikes()[m.index(x, y, z)], mate ? 1 : 0) << x << "," << y << "," << z << " plastic " << plastic;
        }
    // (2,1,0) is a's lattice neighbour across the group face: 0.1 * 1, no more
    EXPECT_FLOAT_EQ(m.potentials()[static_cast<std::size_t>(m.index(2, 1, 0))], 0.1f);
    EXPECT_FLOAT_EQ(m.potentials()[static_cast<std::size_t>(m.index(3, 1, 0))], 0.0f);
  }
  // a live change of the gain applies to the very next step (the current the
  // STDP pass prepared with the old gain is not used)
  Config c = quiet_lattice(4, 2, 2);
  c.group_gain = 96.0;
  GroupsModel m(c);
  Driver drv(4);
  m.inject(m.index(1, 1, 0), 5.0f);
  drv.step(m);
  c.group_gain = 0.0;
  m.update_params(c);
  drv.step(m);
  EXPECT_EQ(m.firing_rate(), 0.0);
}

TEST(GroupsStdp, IntraLinkFollowsHandComputedSpikeTrain) {
  // one group (n = 2, L = 2, g = 2): 8 neurons, 56 intra links, no lattice
  // links at all. a = (0,0,0) is forced to spike at steps 1, 4 and 6, b =
  // (1,0,0) at 3 and 6; intra weights 0.1 / 8 stay far below theta, so
  // nothing else fires. Scaled rule: A+ = 0.01 / 8, A- = 0.012 / 8.
  Config c = quiet_lattice(2, 2, 2);
  GroupsModel m(c);
  Driver drv(2);
  const std::int64_t a = m.index(0, 0, 0), b = m.index(1, 0, 0);
  const int la = m.local_index(0, 0, 0), lb = m.local_index(1, 0, 0), le = m.local_index(1, 1, 1);
  const std::vector<std::vector<std::int64_t>> forced = {{a}, {}, {b}, {a}, {}, {a, b}};
  for (const auto& f : forced) {
    for (std::int64_t i : f) m.inject(i, 5.0f);
    drv.step(m);
    for (std::int64_t i = 0; i < 8; ++i) {
      const bool want = std::find(f.begin(), f.end(), i) != f.end();
      ASSERT_EQ(m.spikes()[i], want ? 1 : 0) << "step " << drv.t << " neuron " << i;
    }
  }
  // traces (pre = post, tau 20), as they stand after step t:
  //   x_a: 1, d, d^2, d^3 + 1, d^4 + d           (after steps 1..5)
  //   x_b: 0, 0, 1, d, d^2                       (after steps 1..5)
  const double d = std::exp(-1.0 / 20.0);
  const double ap = 0.01 / 8, am = 0.012 / 8, w0 = 0.1 / 8;
  // a -> b: step 1 pre with y_b = 0 (no change); step 3 post: + A+ x_a(2) = A+ d;
  // step 4 pre: - A- y_b(3) = A- * 1; step 6 both: + A+ x_a(5) - A- y_b(5)
  const double ab = w0 + ap * d - am * 1.0 + ap * (d * d * d * d + d) - am * (d * d);
  // b -> a: step 1 post with x_b = 0; step 3 pre: - A- y_a(2) = A- d;
  // step 4 post: + A+ x_b(3) = A+; step 6 both: + A+ x_b(5) - A- y_a(5)
  const double ba = w0 - am * d + ap * 1.0 + ap * (d * d) - am * (d * d * d * d + d);
  EXPECT_NEAR(m.intra_weight(0, la, lb), ab, 2e-8);
  EXPECT_NEAR(m.intra_weight(0, lb, la), ba, 2e-8);
  // e never spiked: e -> a is potentiated by x_e = 0 and a -> e depressed by
  // y_e = 0, so both keep their initial weight exactly
  EXPECT_EQ(m.intra_weight(0, le, la), static_cast<float>(w0));
  EXPECT_EQ(m.intra_weight(0, la, le), static_cast<float>(w0));
  // self-links stay 0, and so do the lattice links inside the group (the
  // cube's STDP pass would have potentiated them)
  for (int j = 0; j < 8; ++j) EXPECT_EQ(m.intra_weight(0, j, j), 0.0f);
  for (int dir = 0; dir < CubeModel::kDirections; ++dir) EXPECT_EQ(nonzero(m.weights(dir)), 0) << "direction " << dir;
}

TEST(GroupsStdp, LatticeLinksInsideGroupsStayZeroUnderNoise) {
  Config c = cube_benchmark_config(12, 12, 2);
  c.model = "groups";
  c.group = 3;
  Simulation sim(c);
  for (int t = 0; t < 150; ++t) sim.step();
  const auto& m = static_cast<const GroupsModel&>(sim.model());
  EXPECT_GT(m.firing_rate(), 0.005);
  // link by link: a lattice link exists exactly when its source is on the
  // lattice and in another group along the link's axis (g = 3: across the
  // planes 3, 6, 9 of each axis). Where none exists the weight must be 0;
  // where one exists it started in U(0.08, 0.12) and 150 steps of STDP
  // cannot have driven it to 0.
  std::int64_t existing = 0;
  for (int d = 0; d < CubeModel::kDirections; ++d) {
    const int axis = d / 2, sign = d % 2 == 0 ? 1 : -1;
    const auto& w = m.weights(d);
    for (int z = 0; z < 12; ++z)
      for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 12; ++x) {
          const std::array<int, 3> at = {x, y, z};
          const int from = at[static_cast<std::size_t>(axis)] - sign;
          const bool exists = from >= 0 && from < 12 && from / 3 != at[static_cast<std::size_t>(axis)] / 3;
          existing += exists ? 1 : 0;
          const float wi = w[static_cast<std::size_t>(m.index(x, y, z))];
          if (exists) {
            ASSERT_GT(wi, 0.0f) << "direction " << d << " into " << x << "," << y << "," << z;
          } else {
            ASSERT_EQ(wi, 0.0f) << "direction " << d << " into " << x << "," << y << "," << z;
          }
        }
  }
  // 3 group boundaries per axis, 12 x 12 links across each, both ways, 3 axes
  EXPECT_EQ(existing, 3 * 144 * 2 * 3);
  EXPECT_EQ(m.link_counts().inter, existing);
  const float wmax = static_cast<float>(c.w_max / 27.0);
  for (std::int64_t b = 0; b < m.groups(); ++b)
    for (int j = 0; j < 27; ++j)
      for (int i = 0; i < 27; ++i) {
        const float w = m.intra_weight(b, j, i);
        if (i == j) {
          ASSERT_EQ(w, 0.0f);
        }
        ASSERT_GE(w, 0.0f);
        ASSERT_LE(w, wmax);
      }
}

// Steps a cube and a groups model with g = 1 side by side.
void expect_same_as_cube(Config c, int steps) {
  c.model = "cube";
  Simulation cube(c);
  c.model = "groups";
  c.group = 1;
  Simulation groups(c);
  for (int t = 1; t <= steps; ++t) {
    cube.step();
    groups.step();
    ASSERT_EQ(cube.model().state_hash(), groups.model().state_hash()) << "step " << t;
    ASSERT_EQ(cube.last().iou, groups.last().iou);
    ASSERT_EQ(cube.last().extra, groups.last().extra);
  }
  const auto& a = static_cast<const CubeModel&>(cube.model());
  const auto& b = static_cast<const GroupsModel&>(groups.model());
  EXPECT_TRUE(b.intra_weights().empty());
  EXPECT_EQ(b.link_counts().intra, 0);
  const auto N = static_cast<std::size_t>(a.dims().count());
  EXPECT_TRUE(std::equal(a.spikes(), a.spikes() + N, b.spikes()));
  for (int d = 0; d < CubeModel::kDirections; ++d) EXPECT_EQ(a.weights(d), b.weights(d)) << "direction " << d;
  EXPECT_EQ(a.potentials(), b.potentials());
}

TEST(GroupsReduction, GroupSizeOneIsTheCube) {
  expect_same_as_cube(cube_benchmark_config(12, 10, 1), 120);
  Config p = load_preset("cube-4");
  p.n = 20;
  expect_same_as_cube(p, 150);
  Config q = load_preset("cube-48");
  q.n = q.depth = 12;
  q.threads = 2;
  expect_same_as_cube(q, 100);
}

TEST(GroupsDeterminism, RunsThreadCountsAndOptions) {
  std::vector<Config> configs;
  Config bench = cube_benchmark_config(16, 8, 1);  // g = 4: 4 x 4 x 2 groups
  bench.model = "groups";
  bench.group = 4;
  configs.push_back(bench);
  Config p = load_preset("groups-4");
  p.n = p.depth = 12;
  p.group = 2;
  configs.push_back(p);
  Config t = load_preset("groups-thin");
  t.n = 20;
  configs.push_back(t);
  // the options: two traces, nearest, multiplicative, decay, homeostasis, substeps, patch
  Config q = with_every_option(bench);
  q.n = 12;
  q.depth = 6;
  q.group = 3;
  q.group_gain = 4.0;
  configs.push_back(q);
  Config off = bench;
  off.plastic = false;
  off.group_gain = 8.0;
  configs.push_back(off);
  for (std::size_t k = 0; k < configs.size(); ++k) {
    Config c = configs[k];
    c.threads = 1;
    const std::uint64_t h1 = run_hash(c, 120);
    EXPECT_EQ(h1, run_hash(c, 120)) << "config " << k << ": a second run differs";
    for (int threads : {2, 3}) {
      c.threads = threads;
      EXPECT_EQ(h1, run_hash(c, 120)) << "config " << k << ", " << threads << " threads";
    }
    c.threads = 1;
    c.seed = 7;
    EXPECT_NE(h1, run_hash(c, 120)) << "config " << k << ": the seed changes nothing";
  }
}

TEST(GroupsDeterminism, CheckpointResumeIsBitIdentical) {
  Config c = load_preset("groups-thin");
  c.n = 16;
  const StateArchive a = test::expect_resume_bit_identical(c);
  ASSERT_TRUE(a.f32.count("groups.w_intra"));
}

TEST(GroupsCheckpoint, BadArchiveLeavesModelUnchanged) {
  Config c = quiet_lattice(4, 4, 2);
  GroupsModel m(c);
  StateArchive a;
  m.save(a);
  const std::uint64_t h = m.state_hash();
  StateArchive bad = a;
  bad.f32["groups.w_intra"].pop_back();
  EXPECT_THROW(m.load(bad), StateError);
  bad = a;
  bad.f32["groups.w_intra"][static_cast<std::size_t>(m.intra_index(3, 5, 5))] = 0.01f;  // a self-link
  EXPECT_THROW(m.load(bad), StateError);
  bad = a;
  bad.f32["cube.w_xp"][static_cast<std::size_t>(m.index(1, 0, 0))] = 0.1f;  // (0,0,0) -> (1,0,0): same group
  EXPECT_THROW(m.load(bad), StateError);
  bad = a;
  bad.f32["cube.v"].pop_back();  // the cube's own checks still run
  EXPECT_THROW(m.load(bad), StateError);
  EXPECT_EQ(h, m.state_hash());
  m.load(a);
  EXPECT_EQ(h, m.state_hash());
}

TEST(GroupsConfig, GroupSizeFromTheCommandLineAndBadValues) {
  Config c = load_preset("groups-4");
  EXPECT_EQ(c.group, 4);
  apply_override(c, "model.group=8");  // --set model.group=8
  EXPECT_EQ(c.group, 8);
  EXPECT_NO_THROW(validate(c));
  c.n = c.depth = 16;  // 2 x 2 x 2 groups of 512 (8 MB of weights)
  Simulation sim(c);
  EXPECT_EQ(sim.model().kind(), "groups");
  EXPECT_EQ(sim.model().group_size(), 8);
  for (int t = 0; t < 5; ++t) sim.step();
  std::vector<float> means;
  sim.model().group_potentials(means);
  ASSERT_EQ(means.size(), 8u);
  NeuronView v;
  sim.model().view(v, 0);
  // group 0 is x, y, z < 8
  double sum = 0;
  for (int z = 0; z < 8; ++z)
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) sum += v.potential[static_cast<std::size_t>((z * 16 + y) * 16 + x)];
  EXPECT_NEAR(means[0], sum / 512.0, 1e-5);

  Config bad = load_preset("groups-4");
  apply_override(bad, "model.group=5");
  try {
    Simulation s(bad);
    FAIL() << "g = 5 does not divide 48";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.group"), std::string::npos) << e.what();
  }
  // the cube and layer models have no groups
  Config cube = load_preset("cube-4");
  cube.n = 8;
  EXPECT_EQ(Simulation(cube).model().group_size(), 0);
}

}  // namespace
}  // namespace spikecube
