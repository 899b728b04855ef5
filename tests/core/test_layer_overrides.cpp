// Per-layer parameters of the lattice: [[override]] tables and the depth
// profile of the bias (neuron.bias_decay), each against a hand-computed case.
#include <gtest/gtest.h>

#include <cmath>

#include "core/config.hpp"
#include "core/cube_model.hpp"
#include "core/lattice.hpp"
#include "lattice_fixtures.hpp"

namespace spikecube {
namespace {

using test::Driver;
using test::quiet_lattice;
using test::run_hash;
using test::with_every_option;

const char* kTwoOverrides = R"(
[model]
type = "cube"
n = 6
depth = 6
[neuron]
bias = 0.05
[[override]]
z = [0, 2]
neuron.bias = 0.2
lattice.gain_xp = 0.5
[[override]]
z = [2, 4]
neuron.bias = 0.3
stdp.a_plus = 0.02
lattice.lr_zp = 2.0
)";

TEST(LayerOverrides, RangesApplyInclusiveAndLaterTablesWin) {
  const Config c = parse_config(kTwoOverrides, "test");
  ASSERT_EQ(c.overrides.size(), 2u);
  // layers 0-1: first table; 2: both, the second wins on bias; 3-4: second; 5: none
  const double bias[6] = {0.2, 0.2, 0.3, 0.3, 0.3, 0.05};
  const double gain_xp[6] = {0.5, 0.5, 0.5, 1.0, 1.0, 1.0};
  const double a_plus[6] = {0.005, 0.005, 0.02, 0.02, 0.02, 0.005};
  const LatticeParams p = LatticeParams::from(c, 1);
  for (int z = 0; z < 6; ++z) {
    const Config lc = layer_config(c, z);
    EXPECT_EQ(lc.bias, bias[z]) << "z " << z;
    EXPECT_EQ(lc.gain_xp, gain_xp[z]) << "z " << z;
    EXPECT_EQ(lc.a_plus, a_plus[z]) << "z " << z;
    const PlaneRules& r = p.plane[static_cast<std::size_t>(z)];
    EXPECT_EQ(r.neuron.bias, static_cast<float>(bias[z]));
    EXPECT_EQ(r.gain[kLatticeXp], static_cast<float>(gain_xp[z]));
    EXPECT_EQ(r.gain[kLatticeYp], 1.0f);
    // A+ times the direction's rate factor, per target layer
    EXPECT_EQ(r.rule[kLatticeZp].a_plus, static_cast<float>(a_plus[z] * (z >= 2 && z <= 4 ? 2.0 : 1.0)));
    EXPECT_EQ(r.rule[kLatticeXp].a_plus, static_cast<float>(a_plus[z]));
  }
  // the global values are untouched
  EXPECT_EQ(c.bias, 0.05);
  EXPECT_EQ(c.gain_xp, 1.0);
}

TEST(LayerOverrides, ResolvedConfigKeepsTheTablesAndRoundTrips) {
  const Config c = parse_config(kTwoOverrides, "test");
  const std::string text = to_toml(c);
  const auto second = text.find("[[override]]\nz = [2, 4]\n");
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_NE(text.find("\nneuron.bias = 0.29999999999999999\n", second), std::string::npos) << text;
  EXPECT_NE(text.find("\nlattice.lr_zp = 2.0\n", second), std::string::npos) << text;
  const Config again = parse_config(text, "round trip");
  EXPECT_EQ(again, c);
  EXPECT_EQ(to_toml(again), text);
}

TEST(LayerOverrides, AnOverrideEqualToTheGlobalValueChangesNothing) {
  Config plain = with_every_option(quiet_lattice(9, 6));
  plain.noise = 0.05;
  plain.bias = 0.3;
  plain.refractory = 2;
  Config same = plain;
  same.overrides.push_back({1,
                            3,
                            {{"neuron.bias", plain.bias},
                             {"neuron.noise", plain.noise},
                             {"neuron.refractory", plain.refractory},
                             {"lattice.gain_zp", plain.gain_zp},
                             {"lattice.lr_xm", plain.lr_xm},
                             {"lattice.density_zp", 1.0},
                             {"stdp.a_plus", plain.a_plus},
                             {"stdp.w_max", plain.w_max},
                             {"stdp.plastic", 1.0}}});
  validate(same);
  EXPECT_EQ(run_hash(same, 120), run_hash(plain, 120));
  // and one that differs does change the run
  Config other = plain;
  other.overrides.push_back({1, 3, {{"neuron.bias", plain.bias + 0.1}}});
  EXPECT_NE(run_hash(other, 120), run_hash(plain, 120));
}

TEST(LayerOverrides, PlasticFalseFreezesTheLinksIntoItsLayers) {
  Config c = cube_benchmark_config(8, 4, 1);
  c.overrides.push_back({1, 2, {{"stdp.plastic", 0.0}}});
  c.readout_enabled = false;
  Simulation sim(c);
  for (int t = 0; t < 150; ++t) sim.step();
  const auto& m = static_cast<const CubeModel&>(sim.model());
  CubeModel fresh(c);
  std::int64_t changed_outside = 0;
  for (int d = 0; d < CubeModel::kDirections; ++d)
    for (int z = 0; z < 4; ++z)
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) {
          const auto i = static_cast<std::size_t>(m.index(x, y, z));
          const bool same = m.weights(d)[i] == fresh.weights(d)[i];
          if (z == 1 || z == 2) EXPECT_TRUE(same) << "link into layer " << z << " learnt";
          else changed_outside += same ? 0 : 1;
        }
  EXPECT_GT(changed_outside, 0) << "the other layers learn";
}

TEST(LayerOverrides, PerLayerNeuronRuleActsInThatLayerOnly) {
  // no links, no noise: after one step v = bias of the layer; layer 1's
  // threshold is above it, layer 0's below
  Config c = quiet_lattice(4, 3);
  c.gain_xp = c.gain_xm = c.gain_yp = c.gain_ym = c.gain_zp = c.gain_zm = 0.0;
  c.bias = 0.5;
  c.overrides.push_back({0, 0, {{"neuron.bias", 1.5}}});
  c.overrides.push_back({2, 2, {{"neuron.rho", 0.5}}});
  CubeModel m(c);
  Driver drive(4);
  drive.step(m);
  drive.step(m);
  for (int z = 0; z < 3; ++z)
    for (int k = 0; k < 16; ++k) {
      const auto i = static_cast<std::size_t>(z * 16 + k);
      // layer 0 spikes every step (v = 0 after the reset); layer 1: 0.9 * 0.5 + 0.5;
      // layer 2: 0.5 * 0.5 + 0.5
      const float expect = z == 0 ? 0.0f : z == 1 ? 0.9f * 0.5f + 0.5f : 0.5f * 0.5f + 0.5f;
      EXPECT_EQ(m.potentials()[i], expect) << "z " << z;
      EXPECT_EQ(m.spikes()[i], z == 0 ? 1 : 0);
    }
}

TEST(BiasProfile, BiasOfLayerZIsBiasTimesExpMinusZOverL) {
  Config c = quiet_lattice(3, 5);
  c.gain_xp = c.gain_xm = c.gain_yp = c.gain_ym = c.gain_zp = c.gain_zm = 0.0;
  c.bias = 0.4;
  c.bias_decay = 2.0;
  c.theta_init = 10.0;
  // 0.4 e^(-z/2) for z = 0..4, by hand
  const double expect[5] = {0.4, 0.2426122638850534, 0.14715177646857694, 0.08925206405937193, 0.054134113294645084};
  const LatticeParams p = LatticeParams::from(c, 1);
  CubeModel m(c);
  Driver drive(3);
  drive.step(m);
  for (int z = 0; z < 5; ++z) {
    EXPECT_EQ(p.plane[static_cast<std::size_t>(z)].neuron.bias, static_cast<float>(expect[z])) << "z " << z;
    EXPECT_EQ(m.potentials()[static_cast<std::size_t>(z * 9 + 4)], static_cast<float>(expect[z])) << "z " << z;
  }
  // bias_decay = 0 is off: every layer has the bias
  c.bias_decay = 0.0;
  const LatticeParams flat = LatticeParams::from(c, 1);
  for (const auto& r : flat.plane) EXPECT_EQ(r.neuron.bias, 0.4f);
}

TEST(LayerOverrides, BadTablesAreOneLineErrorsNamingTheField) {
  auto error_of = [](const std::string& text) {
    try {
      parse_config(text, "cfg");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string cube = "[model]\ntype = \"cube\"\nn = 8\ndepth = 4\n";
  EXPECT_EQ(
      error_of(cube + "[[override]]\nz = [3, 4]\nneuron.bias = 0.1\n"),
      "override[0]: z: [3, 4] is out of range; expected [first, last] with 0 <= first <= last <= 3 (model.depth - 1)");
  EXPECT_EQ(
      error_of(cube + "[[override]]\nz = [2, 1]\nneuron.bias = 0.1\n"),
      "override[0]: z: [2, 1] is out of range; expected [first, last] with 0 <= first <= last <= 3 (model.depth - 1)");
  EXPECT_EQ(error_of(cube + "[[override]]\nneuron.bias = 0.1\n"),
            "cfg: override[0]: z: missing or not a [first, last] pair of layers; expected z = [first, last] with 0 <= "
            "first <= last < model.depth");
  EXPECT_EQ(error_of(cube + "[[override]]\nz = [0, 0]\nneuron.bais = 0.1\n"),
            "cfg: override[0]: neuron.bais: unknown key; did you mean neuron.bias?");
  EXPECT_NE(error_of(cube + "[[override]]\nz = [0, 0]\nneuron.threshold = \"fixed\"\n")
                .find("override[0]: neuron.threshold: cannot be set per layer"),
            std::string::npos);
  EXPECT_EQ(error_of(cube + "[[override]]\nz = [0, 0]\n[[override]]\nz = [1, 1]\nneuron.bias = 20\n"),
            "cfg: override[1]: neuron.bias: 20 is out of range; expected a number in [-10, 10]");
  EXPECT_EQ(error_of(cube + "[[override]]\nz = [0, 0]\nlattice.density_xp = 0\n"),
            "cfg: override[0]: lattice.density_xp: 0 is out of range; expected a number in (0, 1]");
  EXPECT_EQ(error_of("[[override]]\nz = [0, 0]\nneuron.bias = 0.1\n"),
            "override: [[override]] sets layers of the lattice models (cube, groups); the layer model has a single "
            "layer: set the keys globally");
}

}  // namespace
}  // namespace spikecube

namespace spikecube {
namespace {

TEST(LateralLinks, RadiusTwoOnASevenGridHasTheHandCountedLinks) {
  // ordered pairs of a 7 x 7 grid within Chebyshev distance 2: 29^2 (29 =
  // 7 + 2*6 + 2*5 per axis), less the 49 selves and the 168 ordered lattice
  // neighbour pairs (2 * 2 * 6 * 7) = 624; only layer 1 has them
  Config c = test::quiet_lattice(7, 3);
  c.overrides.push_back({1, 1, {{"lattice.lateral_radius", 2.0}}});
  CubeModel m(c);
  EXPECT_EQ(m.lateral_links().weight_count(), 49u * 20u);  // K = 5^2 - 5
  EXPECT_EQ(m.lateral_links().link_count(m.params()), 624);
  std::int64_t nonzero = 0;
  for (float w : m.lateral_weights()) nonzero += w != 0.0f ? 1 : 0;
  EXPECT_EQ(nonzero, 624);  // initial weights 0.1 on every link on the grid
}

TEST(LateralLinks, ASpikeReachesTheLayerWithinTheRadiusButNotTheLatticeNeighbours) {
  // no lattice current; neuron (3, 3) of layer 1 spikes; next step every
  // neuron of layer 1 within distance 2 of it gets lateral_gain * 0.1 = 0.25,
  // except its 4 lattice neighbours and itself (reset)
  Config c = test::quiet_lattice(7, 3);
  c.gain_xp = c.gain_xm = c.gain_yp = c.gain_ym = c.gain_zp = c.gain_zm = 0.0;
  c.plastic = false;
  c.overrides.push_back({1, 1, {{"lattice.lateral_radius", 2.0}, {"lattice.lateral_gain", 2.5}}});
  CubeModel m(c);
  test::Driver drive(7);
  m.inject(m.index(3, 3, 1), 2.0f);
  drive.step(m);
  ASSERT_EQ(m.spikes()[m.index(3, 3, 1)], 1);
  drive.step(m);
  for (int z = 0; z < 3; ++z)
    for (int y = 0; y < 7; ++y)
      for (int x = 0; x < 7; ++x) {
        const int dx = std::abs(x - 3), dy = std::abs(y - 3);
        const bool reached = z == 1 && std::max(dx, dy) <= 2 && dx + dy > 1;
        EXPECT_EQ(m.potentials()[static_cast<std::size_t>(m.index(x, y, z))], reached ? 2.5f * 0.1f : 0.0f)
            << x << " " << y << " " << z;
      }
}

}  // namespace
}  // namespace spikecube

namespace spikecube {
namespace {

TEST(LateralLinks, CheckpointsWithoutTheirArrayLoadIntoAModelWithoutThem) {
  // a checkpoint written before cube.w_lateral existed
  const Config c = cube_benchmark_config(6, 3, 1);
  Simulation sim(c);
  for (int t = 0; t < 30; ++t) sim.step();
  StateArchive a;
  sim.save(a);
  ASSERT_EQ(a.f32.erase("cube.w_lateral"), 1u);
  Simulation resumed(c);
  resumed.load(a);
  EXPECT_EQ(resumed.model().state_hash(), sim.model().state_hash());
  // a model with lateral links needs them
  Config wide = c;
  wide.lateral_radius = 1;
  Simulation other(wide);
  a.text["config"] = to_toml(wide);
  EXPECT_THROW(other.load(a), StateError);
}

}  // namespace
}  // namespace spikecube
