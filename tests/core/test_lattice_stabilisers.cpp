// Sparse links (lattice.density_*), synaptic scaling (stdp.normalize),
// inhibition and k-winners-take-all: hand-computed cases, the two STDP
// kernels, thread counts and checkpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/config.hpp"
#include "core/cube_model.hpp"
#include "core/lattice.hpp"
#include "core/rng.hpp"
#include "lattice_fixtures.hpp"

namespace spikecube {
namespace {

using test::Driver;
using test::quiet_lattice;
using test::run_hash;

void no_lattice_current(Config& c) { c.gain_xp = c.gain_xm = c.gain_yp = c.gain_ym = c.gain_zp = c.gain_zm = 0.0; }

TEST(SparseLinks, EachDirectionKeepsTheLinksItsSeedDraws) {
  Config c = cube_benchmark_config(12, 8, 1);
  c.seed = 7;
  c.density_xp = 0.3;
  c.density_zp = 0.5;
  c.density_ym = 0.9;
  const std::array<double, 6> density = {0.3, 1.0, 1.0, 0.9, 0.5, 1.0};
  CubeModel m(c);
  const int n = 12, depth = 8;
  for (int d = 0; d < CubeModel::kDirections; ++d) {
    // recount independently: a link on the lattice exists when the draw of
    // (seed, kLinkMask, d) at its target is below the density
    const std::uint64_t key = rng::key(7, Stream::kLinkMask, static_cast<std::uint64_t>(d));
    std::int64_t links = 0, drawn = 0, kept = 0;
    for (int z = 0; z < depth; ++z)
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
          if (!m.has_link(d, x, y, z)) continue;
          ++links;
          const auto i = m.index(x, y, z);
          const bool exists = rng::uniform(key, static_cast<std::uint64_t>(i)) < density[static_cast<std::size_t>(d)];
          drawn += exists ? 1 : 0;
          kept += m.weights(d)[static_cast<std::size_t>(i)] > 0.0f ? 1 : 0;  // initial weights are >= 0.08
        }
    EXPECT_EQ(kept, drawn) << "direction " << d;
    // binomial: within 4 sd of density * links
    const double p = density[static_cast<std::size_t>(d)], mean = p * static_cast<double>(links);
    EXPECT_LE(std::abs(static_cast<double>(kept) - mean), 4.0 * std::sqrt(mean * (1.0 - p)) + 1e-9)
        << "direction " << d;
    if (p == 1.0) {
      EXPECT_EQ(kept, links);
    }
  }
  // x-links: 11 * 12 * 8 = 1056 on the lattice
  std::int64_t xp_links = 0;
  for (int z = 0; z < depth; ++z)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) xp_links += m.has_link(CubeModel::kXp, x, y, z) ? 1 : 0;
  EXPECT_EQ(xp_links, 1056);
}

TEST(SparseLinks, MissingLinksNeverLearnWithEitherKernel) {
  Config c = cube_benchmark_config(13, 7, 2);
  c.density_xm = 0.4;
  c.density_zp = 0.6;
  c.density_zm = 0.5;
  c.multiplicative = true;
  c.overrides.push_back({2, 4, {{"lattice.density_yp", 0.3}}});
  std::uint64_t hashes[2];
  for (int portable = 0; portable < 2; ++portable) {
    CubeModel::portable_kernels = portable == 1;
    Simulation sim(c);
    for (int t = 0; t < 200; ++t) sim.step();
    const auto& m = static_cast<const CubeModel&>(sim.model());
    CubeModel fresh(c);
    std::int64_t learnt = 0;
    for (int d = 0; d < CubeModel::kDirections; ++d)
      for (std::size_t i = 0; i < m.weights(d).size(); ++i) {
        if (fresh.weights(d)[i] == 0.0f) {
          EXPECT_EQ(m.weights(d)[i], 0.0f) << "a missing link grew";
        }
        learnt += m.weights(d)[i] != fresh.weights(d)[i] ? 1 : 0;
      }
    EXPECT_GT(learnt, 0);
    hashes[portable] = m.state_hash();
  }
  CubeModel::portable_kernels = false;
  EXPECT_EQ(hashes[0], hashes[1]) << "the AVX-512 and the portable STDP differ";
}

TEST(Normalize, EachNeuronKeepsItsInitialInLinkSum) {
  Config c = cube_benchmark_config(9, 5, 1);
  c.w_init_lo = c.w_init_hi = 0.1;
  c.w_max = 10.0;  // no clipping: the sums are exact up to rounding
  c.a_plus = 0.01;
  c.a_minus = 0.008;
  c.normalize = true;
  c.readout_enabled = false;
  Simulation sim(c);
  for (int t = 0; t < 120; ++t) sim.step();
  const auto& m = static_cast<const CubeModel&>(sim.model());
  std::int64_t moved = 0;
  for (int z = 0; z < 5; ++z)
    for (int y = 0; y < 9; ++y)
      for (int x = 0; x < 9; ++x) {
        // by hand: 0.1 per in-link on the lattice (6 inside, 3 at a corner)
        int links = 0;
        for (int d = 0; d < 6; ++d) links += m.has_link(d, x, y, z) ? 1 : 0;
        const auto i = static_cast<std::size_t>(m.index(x, y, z));
        float sum = 0.0f;
        for (int d = 0; d < 6; ++d) {
          sum += m.weights(d)[i];
          moved += m.has_link(d, x, y, z) && m.weights(d)[i] != 0.1f ? 1 : 0;
        }
        EXPECT_NEAR(sum, 0.1 * links, 1e-5) << x << " " << y << " " << z;
      }
  EXPECT_GT(moved, 100) << "STDP changed the weights";
  // and without it the sums drift
  c.normalize = false;
  Simulation free_run(c);
  for (int t = 0; t < 120; ++t) free_run.step();
  const auto& f = static_cast<const CubeModel&>(free_run.model());
  const auto centre = static_cast<std::size_t>(f.index(4, 4, 2));
  float sum = 0.0f;
  for (int d = 0; d < 6; ++d) sum += f.weights(d)[centre];
  EXPECT_GT(std::abs(sum - 0.6f), 1e-3f);
}

TEST(Inhibition, LayerCurrentIsGainTimesLastStepsFiringFraction) {
  // no links: step 1 every neuron of layer 0 (bias 1.5) spikes, layer 1
  // (bias 0.5) does not; step 2: layer 0 gets 1.5 - 1.2 * 1 = 0.3 (v was
  // reset to 0), layer 1 0.9 * 0.5 + 0.5 - 0 = 0.95
  Config c = quiet_lattice(4, 2);
  no_lattice_current(c);
  c.bias = 0.5;
  c.overrides.push_back({0, 0, {{"neuron.bias", 1.5}}});
  c.inhibition = "layer";
  c.inhibition_gain = 1.2;
  CubeModel m(c);
  Driver drive(4);
  drive.step(m);
  for (int k = 0; k < 16; ++k) EXPECT_EQ(m.spikes()[k], 1);
  drive.step(m);
  for (int k = 0; k < 16; ++k) {
    EXPECT_EQ(m.potentials()[static_cast<std::size_t>(k)], 1.5f - 1.2f) << k;
    EXPECT_EQ(m.potentials()[static_cast<std::size_t>(16 + k)], 0.9f * 0.5f + 0.5f) << k;
  }
}

TEST(Inhibition, KWinnersTakeAllKeepsTheHighestAndBreaksTiesByIndex) {
  // no links, bias 2 over a threshold of 1: every neuron wants to spike with
  // the same v/theta, so the k = 3 lowest indices of each layer win; the
  // losers keep v = 2 and, next step, reach 0.9 * 2 + 2 = 3.8 against the
  // winners' 2: the next three losers by index win
  Config c = quiet_lattice(4, 2);
  no_lattice_current(c);
  c.bias = 2.0;
  c.inhibition = "layer";
  c.inhibition_k = 3;
  CubeModel m(c);
  Driver drive(4);
  drive.step(m);
  for (int z = 0; z < 2; ++z)
    for (int k = 0; k < 16; ++k) {
      const auto i = static_cast<std::size_t>(z * 16 + k);
      EXPECT_EQ(m.spikes()[i], k < 3 ? 1 : 0) << i;
      EXPECT_EQ(m.potentials()[i], k < 3 ? 0.0f : 2.0f) << i;
    }
  drive.step(m);
  for (int z = 0; z < 2; ++z)
    for (int k = 0; k < 16; ++k)
      EXPECT_EQ(m.spikes()[static_cast<std::size_t>(z * 16 + k)], k >= 3 && k < 6 ? 1 : 0) << z << " " << k;
  EXPECT_DOUBLE_EQ(m.firing_rate(), 6.0 / 32.0);
}

TEST(Inhibition, KWinnersTakeAllPerGroupPicksTheHighestPotential) {
  // groups of 2 x 2 x 2 in a 4 x 4 x 2 lattice; inject a larger current into
  // one neuron per group: it wins with k = 1
  Config c = quiet_lattice(4, 2);
  no_lattice_current(c);
  c.bias = 1.5;
  c.group = 2;
  c.inhibition = "group";
  c.inhibition_k = 1;
  CubeModel m(c);
  const std::int64_t favourite[4] = {m.index(1, 1, 1), m.index(2, 0, 0), m.index(1, 3, 1), m.index(3, 3, 0)};
  for (auto i : favourite) m.inject(i, 0.5f);
  Driver drive(4);
  drive.step(m);
  std::int64_t total = 0;
  for (std::int64_t i = 0; i < 32; ++i) total += m.spikes()[i];
  EXPECT_EQ(total, 4);
  for (auto i : favourite) EXPECT_EQ(m.spikes()[i], 1) << i;
}

TEST(Inhibition, KWinnersTakeAllCapsEveryLayerOfANoisyRun) {
  Config c = cube_benchmark_config(10, 6, 2);
  c.inhibition = "layer";
  c.inhibition_k = 4;
  Simulation sim(c);
  std::vector<double> rates;
  double any = 0;
  for (int t = 0; t < 100; ++t) {
    sim.step();
    sim.model().layer_rates(rates);
    for (double r : rates) {
      EXPECT_LE(r * 100.0, 4.0 + 1e-9);
      any += r;
    }
  }
  EXPECT_GT(any, 0.0);
}

Config every_addition() {
  Config c = test::with_every_option(cube_benchmark_config(8, 8, 1));
  c.noise = 0.1;
  c.bias_decay = 6.0;
  c.density_xp = 0.7;
  c.density_zm = 0.6;
  c.normalize = true;
  c.inhibition = "layer";
  c.inhibition_gain = 0.3;
  c.inhibition_k = 20;
  c.overrides.push_back({0, 2, {{"neuron.bias", 0.2}, {"lattice.gain_zp", 1.5}, {"lattice.density_zp", 0.5}}});
  c.overrides.push_back({5, 7, {{"stdp.plastic", 0.0}, {"stdp.w_max", 0.2}}});
  c.overrides.push_back({3, 4, {{"lattice.lateral_radius", 2.0}, {"lattice.lateral_gain", 0.5}}});
  return c;
}

TEST(ResearchDeterminism, EveryAdditionIsBitIdenticalAtAnyThreadCount) {
  for (const char* model : {"cube", "groups"}) {
    Config c = every_addition();
    c.model = model;
    c.group = 2;
    if (std::string(model) == "groups") c.inhibition = "group";
    const std::uint64_t one = run_hash(c, 120);
    c.threads = 2;
    EXPECT_EQ(run_hash(c, 120), one) << model;
    c.threads = 3;
    EXPECT_EQ(run_hash(c, 120), one) << model;
  }
}

TEST(ResearchDeterminism, EveryAdditionResumesBitIdentically) {
  Config c = every_addition();
  c.threads = 2;
  test::expect_resume_bit_identical(c);
  c.model = "groups";
  c.group = 2;
  c.inhibition = "group";
  test::expect_resume_bit_identical(c);
}

TEST(ResearchConfig, BadValuesNameTheFieldAndTheRange) {
  auto error_of = [](const std::string& assignment) {
    Config c;
    c.model = "cube";
    try {
      apply_override(c, assignment);
      validate(c);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("lattice.density_zm=0"),
            "--set lattice.density_zm: 0 is out of range; expected a number in (0, 1]");
  EXPECT_EQ(error_of("lattice.density_xp=1.5"),
            "--set lattice.density_xp: 1.5 is out of range; expected a number in (0, 1]");
  EXPECT_EQ(error_of("inhibition.k=-1"),
            "--set inhibition.k: -1 is out of range; expected an integer in [0, 1000000000]");
  EXPECT_EQ(error_of("inhibition.kind=global"),
            "--set inhibition.kind: \"global\" is not allowed; expected one of {none,layer,group}");
  EXPECT_EQ(error_of("neuron.bias_decay=-2"),
            "--set neuron.bias_decay: -2 is out of range; expected a number in [0, 1e+06]");
  Config c;
  c.model = "cube";
  c.n = 10;
  c.depth = 6;
  c.group = 4;
  c.inhibition = "group";
  EXPECT_THROW(validate(c), ConfigError);
}

}  // namespace
}  // namespace spikecube

namespace spikecube {
namespace {

TEST(Normalize, GroupsKeepTheSumOfTheirInterGroupLinks) {
  // groups of 2: a neuron has lattice in-links only across group faces; the
  // initial sum counts those alone (0.1 each)
  Config c = cube_benchmark_config(8, 4, 1);
  c.model = "groups";
  c.group = 2;
  c.w_init_lo = c.w_init_hi = 0.1;
  c.w_max = 10.0;
  c.a_plus = 0.01;
  c.normalize = true;
  c.readout_enabled = false;
  Simulation sim(c);
  for (int t = 0; t < 100; ++t) sim.step();
  const auto& m = static_cast<const CubeModel&>(sim.model());
  for (std::int64_t i = 0; i < 8 * 8 * 4; ++i) {
    int links = 0;
    float sum = 0.0f;
    for (int d = 0; d < 6; ++d) {
      links += m.params().link_exists(d, i) ? 1 : 0;
      sum += m.weights(d)[static_cast<std::size_t>(i)];
    }
    EXPECT_NEAR(sum, 0.1 * links, 1e-5) << i;
  }
}

TEST(ResearchConfig, LiveKeysReachTheLayers) {
  Config c = cube_benchmark_config(6, 4, 1);
  c.overrides.push_back({3, 3, {{"lattice.lateral_radius", 1.0}, {"neuron.bias", 0.2}}});
  Simulation sim(c);
  sim.step();
  sim.set_param("neuron.bias_decay", 2.0);
  sim.set_param("lattice.lateral_gain", 0.25);
  sim.set_param("inhibition.k", 3);
  sim.step();
  const auto& p = static_cast<const CubeModel&>(sim.model()).params();
  EXPECT_EQ(p.plane[1].neuron.bias, static_cast<float>(0.05 * std::exp(-0.5)));
  EXPECT_EQ(p.plane[3].neuron.bias, static_cast<float>(0.2 * std::exp(-1.5)));  // the override, then the profile
  EXPECT_EQ(p.plane[3].lateral_gain, 0.25f);
  EXPECT_EQ(p.inhibition_k, 3);
  EXPECT_THROW(sim.set_param("lattice.density_xp", 0.5), ConfigError);  // drawn once: not live
}

}  // namespace
}  // namespace spikecube
