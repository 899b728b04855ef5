// Tests of the cube model (docs/cube.md): the per-link STDP rule against a
// hand-computed spike train, lattice geometry, isotropy under the 48 cube
// symmetries, determinism across seeds, thread counts and checkpoints, and
// the memory budget of the benchmark scenario.
#include <gtest/gtest.h>

#include "tests/core/lattice_fixtures.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/cube_model.hpp"
#include "core/lattice_stdp.hpp"
#include "core/simulation.hpp"
#include "core/state_archive.hpp"

namespace spikecube {
namespace {

using test::Driver;
using test::quiet_lattice;
using test::run_hash;
using test::with_every_option;

TEST(CubeStdp, LinkFollowsHandComputedSpikeTrain) {
  const float d = std::exp(-1.0f / 20.0f);
  LinkRule r;
  r.a_plus = 0.01f;
  r.a_minus = 0.012f;
  r.w_max = 0.2f;
  // pre spikes at t = 1, post at t = 3: potentiation by A+ x_pre(2) = A+ d
  // (the pre trace after its spike is 1, decayed once by t = 2)
  const std::array<int, 8> pre = {0, 1, 0, 0, 0, 0, 1, 0};
  const std::array<int, 8> post = {0, 0, 0, 1, 0, 1, 0, 0};
  float w = 0.1f, x = 0.0f, y = 0.0f;
  std::array<float, 8> expect{};
  for (std::size_t t = 1; t < pre.size(); ++t) {
    if (pre[t] || post[t]) w = stdp_link(w, x, y, pre[t] != 0, post[t] != 0, r);
    x = stdp_trace(x, pre[t] != 0, d, false);
    y = stdp_trace(y, post[t] != 0, d, false);
    expect[t] = w;
  }
  // by hand: t=1 pre spike with post trace 0: no change; t=3 post spike:
  // + A+ x(2) = A+ d; t=5 post spike: + A+ x(4) = A+ d^3; t=6 pre spike:
  // - A- y(5) with y(5) = d^2 + 1 (post spikes at 3 and 5)
  EXPECT_FLOAT_EQ(expect[1], 0.1f);
  EXPECT_FLOAT_EQ(expect[3], 0.1f + 0.01f * d);
  EXPECT_FLOAT_EQ(expect[5], 0.1f + 0.01f * d + 0.01f * d * d * d);
  EXPECT_NEAR(expect[6], 0.1f + 0.01f * d + 0.01f * d * d * d - 0.012f * (1.0f + d * d), 1e-7f);

  // clipping at both ends
  EXPECT_FLOAT_EQ(stdp_link(0.199f, 1.0f, 0.0f, false, true, r), 0.2f);
  EXPECT_FLOAT_EQ(stdp_link(0.005f, 0.0f, 1.0f, true, false, r), 0.0f);
  // both ends spiking: potentiation and depression together
  EXPECT_FLOAT_EQ(stdp_link(0.1f, 0.5f, 0.25f, true, true, r), 0.1f + 0.01f * 0.5f - 0.012f * 0.25f);
  // multiplicative: A+ (w_max - w) and A- w
  r.multiplicative = true;
  EXPECT_FLOAT_EQ(stdp_link(0.1f, 1.0f, 0.0f, false, true, r), 0.1f + 0.01f * (0.2f - 0.1f));
  EXPECT_FLOAT_EQ(stdp_link(0.1f, 0.0f, 1.0f, true, false, r), 0.1f - 0.012f * 0.1f);
  // nearest-spike trace resets to 1 instead of adding 1
  EXPECT_FLOAT_EQ(stdp_trace(0.5f, true, d, true), 1.0f);
  EXPECT_FLOAT_EQ(stdp_trace(0.5f, true, d, false), 0.5f * d + 1.0f);
}

TEST(CubeStdp, TwoNeuronsOnATinyCube) {
  // neuron a = (0,0,0) spikes at step 1, b = (1,0,0) at step 3 (forced by an
  // injected current); links carry 0.1 < theta = 1, so nothing else fires
  Config c = quiet_lattice(3, 1);
  CubeModel m(c);
  Driver drv(3);
  const std::int64_t a = m.index(0, 0, 0), b = m.index(1, 0, 0);
  m.inject(a, 5.0f);
  drv.step(m);
  ASSERT_EQ(m.spikes()[a], 1);
  drv.step(m);
  m.inject(b, 5.0f);
  drv.step(m);
  ASSERT_EQ(m.spikes()[b], 1);
  ASSERT_EQ(m.spikes()[a], 0);
  const float d = static_cast<float>(std::exp(-1.0 / 20.0));
  // a -> b travels +x and is stored at its target b: potentiated by A+ x_a(2) = A+ d
  EXPECT_FLOAT_EQ(m.weights(CubeModel::kXp)[static_cast<std::size_t>(b)], 0.1f + 0.01f * d);
  // b -> a travels -x: b's spike at 3 depresses it by A- y_a(2) = A- d
  EXPECT_FLOAT_EQ(m.weights(CubeModel::kXm)[static_cast<std::size_t>(a)], 0.1f - 0.012f * d);
  // a -> (0,1,0) saw only a pre spike with a zero post trace: unchanged
  EXPECT_FLOAT_EQ(m.weights(CubeModel::kYp)[static_cast<std::size_t>(m.index(0, 1, 0))], 0.1f);
  // b -> (2,0,0): pre spike, post trace 0: unchanged; (2,0,0) -> b: potentiation with x = 0
  EXPECT_FLOAT_EQ(m.weights(CubeModel::kXp)[static_cast<std::size_t>(m.index(2, 0, 0))], 0.1f);
  EXPECT_FLOAT_EQ(m.weights(CubeModel::kXm)[static_cast<std::size_t>(b)], 0.1f);
}

TEST(CubeGeometry, InLinkCountsByPosition) {
  Config c = quiet_lattice(4, 5);
  CubeModel m(c);
  for (int z = 0; z < 5; ++z)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) {
        int links = 0;
        for (int d = 0; d < CubeModel::kDirections; ++d)
          links += m.weights(d)[static_cast<std::size_t>(m.index(x, y, z))] > 0.0f ? 1 : 0;
        const int on_face = (x == 0 || x == 3) + (y == 0 || y == 3) + (z == 0 || z == 4);
        // corner 3, edge 4, face 5, interior 6
        EXPECT_EQ(links, 6 - on_face) << "at " << x << "," << y << "," << z;
      }
}

// The 48 symmetries of the cube: a permutation of the axes and a sign per axis.
std::vector<std::array<int, 6>> cube_symmetries() {
  std::vector<std::array<int, 6>> out;
  std::array<int, 3> p = {0, 1, 2};
  do {
    for (int flips = 0; flips < 8; ++flips)
      out.push_back({p[0], p[1], p[2], flips & 1, (flips >> 1) & 1, (flips >> 2) & 1});
  } while (std::next_permutation(p.begin(), p.end()));
  return out;
}

// The image of (x, y, z) under a symmetry: axis a of the image takes the
// coordinate of axis sy[a], mirrored when flip a is set.
std::array<int, 3> image(const std::array<int, 6>& sy, const std::array<int, 3>& c, int side) {
  std::array<int, 3> t{};
  for (std::size_t a = 0; a < 3; ++a) {
    const int from = c[static_cast<std::size_t>(sy[a])];
    t[a] = sy[3 + a] ? side - 1 - from : from;
  }
  return t;
}

// The direction a link travelling in direction d takes under a symmetry: its
// axis b becomes the image axis a with sy[a] == b, and a mirrored axis
// reverses it (a link into c comes from c - s e_b; the image of that source
// lies at t(c) -+ s along a).
int image_direction(const std::array<int, 6>& sy, int d) {
  const int axis = d / 2;
  const int sign = d % 2 == 0 ? 1 : -1;  // kXp, kXm, kYp, ... alternate + and -
  for (int a = 0; a < 3; ++a) {
    if (sy[static_cast<std::size_t>(a)] != axis) continue;
    const int s = sy[static_cast<std::size_t>(3 + a)] ? -sign : sign;
    return 2 * a + (s > 0 ? 0 : 1);
  }
  return -1;
}

// Whether the spikes, potentials and the six weight arrays of a side^3 cube
// are invariant under every symmetry; `why` says where the first difference is.
// Weights follow from per-link rules on symmetric traces, so they must agree
// exactly; a potential sums its in-currents in a fixed direction order, which
// a symmetry permutes, so it agrees up to the rounding of that sum.
bool symmetric(const CubeModel& m, int side, std::string* why = nullptr) {
  const auto syms = cube_symmetries();
  std::array<const std::vector<float>*, 6> w{};
  for (int d = 0; d < 6; ++d) w[static_cast<std::size_t>(d)] = &m.weights(d);
  const auto& v = m.potentials();
  for (const auto& sy : syms) {
    for (int z = 0; z < side; ++z)
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
          const auto t = image(sy, {x, y, z}, side);
          const auto i = static_cast<std::size_t>(m.index(x, y, z));
          const auto j = static_cast<std::size_t>(m.index(t[0], t[1], t[2]));
          auto fail = [&](const std::string& what) {
            if (why) *why = what + " at " + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z);
            return false;
          };
          if (m.spikes()[i] != m.spikes()[j]) return fail("spike");
          if (std::abs(v[i] - v[j]) > 1e-5f)
            return fail("potential " + std::to_string(v[i]) + " vs " + std::to_string(v[j]));
          for (int d = 0; d < 6; ++d) {
            const int e = image_direction(sy, d);
            if ((*w[static_cast<std::size_t>(d)])[i] != (*w[static_cast<std::size_t>(e)])[j])
              return fail("weight of direction " + std::to_string(d));
          }
        }
  }
  return true;
}

// A point stimulus at the centre of a 9^3 cube: links of 0.4 carry a single
// spike over theta = 0.3, so a wave runs out to the faces; refractoriness
// keeps it from running back. STDP is on.
Config isotropy_config() {
  Config c = quiet_lattice(9, 9);
  c.theta_init = 0.3;
  c.refractory = 3;
  c.w_init_lo = c.w_init_hi = 0.4;
  c.a_plus = 0.005;
  c.a_minus = 0.00525;
  return c;
}

TEST(CubeIsotropy, PointStimulusStaysSymmetricAtEveryStep) {
  CubeModel m(isotropy_config());
  Driver drv(9);
  const std::int64_t centre = m.index(4, 4, 4);
  int active_steps = 0;
  for (int t = 1; t <= 40; ++t) {
    if (t == 1 || t == 20) m.inject(centre, 1.0f);  // a second wave over the learned weights
    drv.step(m);
    if (m.firing_rate() > 0) ++active_steps;
    std::string why;
    ASSERT_TRUE(symmetric(m, 9, &why)) << "step " << t << ": " << why;
  }
  EXPECT_GE(active_steps, 10);  // the waves did run through the cube
  // STDP did act (else the weights would be trivially symmetric): links of
  // every direction moved away from their initial 0.4
  for (int d = 0; d < CubeModel::kDirections; ++d) {
    const auto& w = m.weights(d);
    EXPECT_GT(std::count_if(w.begin(), w.end(), [](float x) { return x != 0.0f && x != 0.4f; }), 100)
        << "direction " << d;
  }
}

TEST(CubeIsotropy, SymmetryMapsLinksOntoTheirImages) {
  // the mapping used above, by hand: the x <-> y swap turns +x links into +y
  // links; mirroring x turns +x into -x; the identity keeps everything
  EXPECT_EQ(image_direction({1, 0, 2, 0, 0, 0}, CubeModel::kXp), CubeModel::kYp);
  EXPECT_EQ(image_direction({1, 0, 2, 0, 0, 0}, CubeModel::kYm), CubeModel::kXm);
  EXPECT_EQ(image_direction({0, 1, 2, 1, 0, 0}, CubeModel::kXp), CubeModel::kXm);
  EXPECT_EQ(image_direction({0, 1, 2, 1, 0, 0}, CubeModel::kZm), CubeModel::kZm);
  EXPECT_EQ(image_direction({2, 0, 1, 0, 0, 1}, CubeModel::kYp), CubeModel::kZm);
  EXPECT_EQ(image({1, 0, 2, 0, 0, 0}, {1, 2, 3}, 9), (std::array<int, 3>{2, 1, 3}));
  EXPECT_EQ(image({0, 1, 2, 1, 0, 0}, {1, 2, 3}, 9), (std::array<int, 3>{7, 2, 3}));
  // a lattice with one potentiated +x link is not symmetric, and the check says so
  CubeModel m(isotropy_config());
  Driver drv(9);
  m.inject(m.index(3, 4, 4), 1.0f);  // source of the +x link into the centre
  drv.step(m);
  drv.step(m);
  std::string why;
  EXPECT_FALSE(symmetric(m, 9, &why));
}

TEST(CubeIsotropy, OneDirectionGainBreaksTheSymmetry) {
  Config c = isotropy_config();
  c.gain_xp = 0.5;  // a lone spike no longer crosses theta along +x
  CubeModel m(c);
  Driver drv(9);
  m.inject(m.index(4, 4, 4), 1.0f);
  bool broken = false;
  for (int t = 1; t <= 20 && !broken; ++t) {
    drv.step(m);
    broken = !symmetric(m, 9);
  }
  EXPECT_TRUE(broken);
}

TEST(CubeDeterminism, SeedsAndThreadCounts) {
  Config c = cube_benchmark_config(16, 12, 1);
  const std::uint64_t h1 = run_hash(c, 150);
  EXPECT_EQ(h1, run_hash(c, 150));  // same seed, same state
  for (int threads : {2, 3}) {
    c.threads = threads;
    EXPECT_EQ(h1, run_hash(c, 150)) << threads << " threads";
  }
  c.threads = 1;
  c.seed = 1;
  EXPECT_NE(h1, run_hash(c, 150));
}

TEST(CubeDeterminism, PresetThreadCountsAndOptions) {
  // the learning preset (adaptive neurons, anisotropic gains, readout), plus
  // the options: two traces, nearest, multiplicative, decay, homeostasis, substeps
  std::vector<Config> configs;
  Config p = load_preset("cube-4");
  p.n = 20;
  configs.push_back(p);
  configs.push_back(with_every_option(cube_benchmark_config(12, 10, 1)));
  for (Config c : configs) {
    c.threads = 1;
    const std::uint64_t h1 = run_hash(c, 120);
    c.threads = 3;
    EXPECT_EQ(h1, run_hash(c, 120));
    c.threads = 2;
    EXPECT_EQ(h1, run_hash(c, 120));
  }
}

TEST(CubeDeterminism, CheckpointResumeIsBitIdentical) {
  Config c = load_preset("cube-4");
  c.n = 16;
  test::expect_resume_bit_identical(c);
}

TEST(CubeCheckpoint, BadArchiveLeavesModelUnchanged) {
  Config c = quiet_lattice(5, 4);
  CubeModel m(c);
  StateArchive a;
  m.save(a);
  const std::uint64_t h = m.state_hash();
  StateArchive bad = a;
  bad.f32["cube.v"].pop_back();
  EXPECT_THROW(m.load(bad), StateError);
  bad = a;
  bad.f32["cube.w_xp"][0] = 0.3f;  // (0,0,0) has no -x neighbour: no such link
  EXPECT_THROW(m.load(bad), StateError);
  bad = a;
  bad.f32.erase("cube.w_zm");
  EXPECT_THROW(m.load(bad), StateError);
  EXPECT_EQ(h, m.state_hash());
  m.load(a);
  EXPECT_EQ(h, m.state_hash());
}

TEST(CubeMetrics, LayerRatesFocusAndView) {
  Config c = load_preset("cube-4");
  Simulation sim(c);
  for (int t = 0; t < 300; ++t) sim.step();
  std::vector<double> rates;
  sim.model().layer_rates(rates);
  ASSERT_EQ(rates.size(), 4u);
  const double mean = std::accumulate(rates.begin(), rates.end(), 0.0) / 4.0;
  EXPECT_NEAR(mean, sim.model().firing_rate(), 1e-12);
  ASSERT_EQ(sim.extra_metric_names(), (std::vector<std::string>{"focus", "focus_lagged"}));
  ASSERT_EQ(sim.last().extra.size(), 2u);
  for (double f : sim.last().extra) {
    EXPECT_GE(f, 0.0);
    EXPECT_LE(f, 1.0);
  }
  EXPECT_EQ(sim.health(), Health::kOk);
  NeuronView v;
  sim.model().view(v, 1000);
  EXPECT_LE(v.dims.count(), 1000);
  EXPECT_GT(v.stride, 1);
  EXPECT_EQ(v.potential.size(), static_cast<std::size_t>(v.dims.count()));
  sim.model().view(v, 1 << 30);
  EXPECT_EQ(v.stride, 1);
  EXPECT_EQ(v.dims.count(), 48 * 48 * 4);
}

TEST(CubeMetrics, FocusCountsSpikesNearTheDotByHand) {
  // A quiet 12 x 12 x 2 lattice (links 0.1 < theta 1, no noise): only the
  // neurons given a current of 5 spike, and their links cannot fire anyone
  // within the step. focus = spikes of any layer within 3 pixels (in x and y)
  // of this frame's input points / all spikes; focus_lagged compares layer z
  // with the points of z frames ago. A spike near two points counts once.
  Config c = quiet_lattice(12, 2);
  CubeModel m(c);
  const Frame zeros(144, 0);
  std::int64_t t = 0;
  auto step = [&](std::vector<Point> points, std::vector<std::array<int, 3>> fire) {
    for (const auto& f : fire) m.inject(m.index(f[0], f[1], f[2]), 5.0f);
    StepInput in;
    in.step = ++t;
    in.input = &zeros;
    in.target = &zeros;
    in.input_points = points;
    m.step(in);
    std::vector<double> out;
    m.extra_metrics(out);
    return out;
  };
  // frame 1: the dot at (10, 10), nothing fires: both 0
  EXPECT_EQ(step({{10, 10}}, {}), (std::vector<double>{0.0, 0.0}));
  // frame 2: two dots at (2, 2) and (4, 2); six spikes:
  //   (2,2,0) near both dots (counted once), (5,5,0) 3 from (2,2) and (4,2),
  //   (9,9,0) far: layer 0 has 2 of 3 near, in both measures;
  //   (10,9,1), (9,9,1) near the frame-1 dot only, (3,3,1) near this frame's:
  //   layer 1 has 1 near now, 2 near the points of one frame ago.
  const auto f = step({{2, 2}, {4, 2}}, {{2, 2, 0}, {5, 5, 0}, {9, 9, 0}, {10, 9, 1}, {9, 9, 1}, {3, 3, 1}});
  ASSERT_EQ(m.firing_rate() * 288, 6.0);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_DOUBLE_EQ(f[0], 3.0 / 6.0);
  EXPECT_DOUBLE_EQ(f[1], 4.0 / 6.0);
  // frame 3: every spike near the dot: 1
  const auto g = step({{6, 6}}, {{6, 6, 0}, {8, 9, 1}, {3, 3, 0}});
  EXPECT_DOUBLE_EQ(g[0], 1.0);
  EXPECT_DOUBLE_EQ(g[1], 2.0 / 3.0);  // (8,9,1) is far from frame 2's dots
}

TEST(CubeNeurons, RefractoryStepsComeFromTheConfigByHand) {
  // a bias of 2 crosses theta = 1 on every step a neuron may fire (links of
  // 0.1 only add to it); neuron.refractory = 2 silences each neuron for
  // exactly 2 steps after its spike: spikes at steps 1, 4, 7, ...
  Config c = quiet_lattice(4, 3);
  c.bias = 2.0;
  c.refractory = 2;
  CubeModel m(c);
  Driver drv(4);
  for (int t = 1; t <= 10; ++t) {
    drv.step(m);
    EXPECT_EQ(m.spikes()[m.index(1, 2, 1)], t % 3 == 1 ? 1 : 0) << "step " << t;
    EXPECT_DOUBLE_EQ(m.firing_rate(), t % 3 == 1 ? 1.0 : 0.0) << "step " << t;
  }
}

TEST(CubeHealth, SaturatedLatticeIsReportedAsRunaway) {
  Config c = quiet_lattice(6, 6);
  c.bias = 2.0;  // every neuron crosses theta = 1 on bias alone, every step
  Simulation sim(c);
  for (int t = 0; t < 499; ++t) sim.step();
  EXPECT_DOUBLE_EQ(sim.last().fire, 1.0);
  EXPECT_EQ(sim.health(), Health::kOk);  // not yet 500 frames in a row
  sim.step();
  EXPECT_EQ(sim.health(), Health::kRunaway);
}

TEST(CubeLive, ParameterChangesMidRunStayThreadIndependent) {
  // live changes between steps: split traces (tau_minus), gains, rates,
  // refractoriness switched on; the result must not depend on threads
  auto run = [](int threads) {
    Config c = cube_benchmark_config(14, 9, threads);
    c.refractory = 0;
    Simulation sim(c);
    for (int t = 0; t < 60; ++t) sim.step();
    sim.set_param("stdp.tau_minus", 35.0);
    sim.set_param("lattice.gain_zp", 1.5);
    sim.set_param("lattice.lr_xm", 0.5);
    sim.set_param("neuron.refractory", 2.0);
    for (int t = 0; t < 60; ++t) sim.step();
    sim.set_param("stdp.tau_minus", 20.0);  // traces merge again
    for (int t = 0; t < 60; ++t) sim.step();
    return sim.model().state_hash();
  };
  const std::uint64_t h1 = run(1);
  EXPECT_EQ(h1, run(2));
  EXPECT_EQ(h1, run(3));
  EXPECT_NE(h1, run_hash(cube_benchmark_config(14, 9, 1), 180));
}

TEST(CubeKernels, VectorAndPortableStdpAgreeBitForBit) {
  // the AVX-512 kernels (where built) against the portable loops, over the
  // options that change their arithmetic or their masks: multiplicative
  // rule, split traces, rate factors, faces of an odd-sized lattice, groups;
  // the same runs check the integration's noise blocks (the benchmark has
  // noise; 19 x 19 rows end in partial vectors) and the per-row spike
  // counts (rows of 70 neurons: a full 64-byte load and a masked tail)
  struct Case {
    const char* name;
    Config cfg;
  };
  std::vector<Case> cases;
  cases.push_back({"benchmark 19x19x11", cube_benchmark_config(19, 11, 2)});
  Config long_rows = cube_benchmark_config(70, 3, 1);
  long_rows.readout_enabled = false;  // its 4900 x 4900 initial weights would take seconds
  cases.push_back({"benchmark 70x70x3", long_rows});
  Config mult = cube_benchmark_config(16, 7, 1);
  mult.multiplicative = true;
  mult.tau_minus = 14.0;
  mult.lr_zm = 2.5;
  mult.lr_xp = 0.25;
  cases.push_back({"multiplicative, two traces, rate factors", mult});
  Config groups = cube_benchmark_config(12, 6, 3);
  groups.model = "groups";
  groups.group = 3;
  cases.push_back({"groups g = 3", groups});
  // 4 x 4 tiles of intra-group links (G = 64 and G = 8): the groups' AVX-512
  // kernel, with both rules
  Config tiled = cube_benchmark_config(12, 8, 2);
  tiled.model = "groups";
  tiled.group = 4;
  cases.push_back({"groups g = 4", tiled});
  tiled.group = 2;
  tiled.multiplicative = true;
  tiled.tau_minus = 14.0;
  cases.push_back({"groups g = 2, multiplicative, two traces", tiled});
#if !(defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__))
  GTEST_SKIP() << "this build has no AVX-512 STDP kernel (compiled without AVX-512 F/BW/VL): "
                  "the portable loops would only be compared with themselves";
#endif
  for (const auto& c : cases) {
    CubeModel::portable_kernels = true;
    const std::uint64_t portable = run_hash(c.cfg, 150);
    CubeModel::portable_kernels = false;
    EXPECT_EQ(run_hash(c.cfg, 150), portable) << c.name;
  }
}

TEST(CubeStdp, ObservingWeightsMidRunChangesNothing) {
  // STDP is applied lazily (in the next step's pass, or when something reads
  // the weights): reading them, hashing or saving between steps must leave
  // the run exactly as if nobody had looked
  const Config c = cube_benchmark_config(15, 8, 2);
  Simulation quiet(c), watched(c);
  for (int t = 0; t < 120; ++t) {
    quiet.step();
    watched.step();
    if (t % 7 == 3) {
      const auto& m = static_cast<const CubeModel&>(watched.model());
      EXPECT_GT(std::accumulate(m.weights(CubeModel::kZp).begin(), m.weights(CubeModel::kZp).end(), 0.0), 0.0);
      (void)m.state_hash();
      StateArchive a;
      watched.save(a);
    }
  }
  EXPECT_EQ(watched.model().state_hash(), quiet.model().state_hash());
  // (that a read sees the last step's STDP applied is what
  // TwoNeuronsOnATinyCube checks on a live model)
}

TEST(CubeMemory, BenchmarkScenarioFitsFortyBytesPerNeuron) {
  Simulation sim(cube_benchmark_config(48, 48, 1));
  const double per_neuron =
      static_cast<double>(sim.model().state_bytes()) / static_cast<double>(sim.model().dims().count());
  EXPECT_GT(per_neuron, 24.0);  // at least the six link weights
  EXPECT_LE(per_neuron, 40.0);
}

TEST(CubeConfig, BadValuesNameTheKey) {
  Config c = load_preset("cube-4");
  c.readout_layers = 5;
  try {
    Simulation sim(c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("readout.layers"), std::string::npos);
  }
  Config d = load_preset("cube-4");
  EXPECT_THROW(set_param(d, "lattice.gain_zp", -1.0), ConfigError);
  EXPECT_THROW(apply_override(d, "lattice.substeps=0"), ConfigError);
}

}  // namespace
}  // namespace spikecube
