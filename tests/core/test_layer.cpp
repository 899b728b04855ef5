// The layer model's plasticity rules on small hand-computed cases, run
// through the real Simulation, plus determinism.
#include <gtest/gtest.h>

#include <cmath>

#include "core/layer_model.hpp"
#include "core/simulation.hpp"

using namespace spikecube;

namespace {

// Every hidden neuron fires on every step (bias alone reaches the fixed
// threshold), so the plasticity of a step can be computed by hand.
Config always_firing(int n) {
  Config c = load_preset("01_01");
  c.n = n;
  c.noise = 0.0;
  c.bias = 0.5;
  c.theta_init = 0.5;
  c.eta_theta = 0.0;
  c.w_in_lo = c.w_in_hi = 0.6;
  c.w_in_max = 0.65;
  c.eta = 0.1;
  c.eta_out = 0.0;
  return c;
}

const LayerModel& layer(const Simulation& s) { return dynamic_cast<const LayerModel&>(s.model()); }

int lit_pixel(const Frame& f) {
  for (std::size_t i = 0; i < f.size(); ++i)
    if (f[i]) return static_cast<int>(i);
  return -1;
}

bool in_field(int n, int neuron, int pixel, int r) {
  return std::abs(neuron % n - pixel % n) <= r && std::abs(neuron / n - pixel / n) <= r;
}

}  // namespace

TEST(Layer, HebbianUpdateIsTheFullOuterProductClippedWhenUnmasked) {
  const int n = 7;
  Simulation sim(always_firing(n));
  sim.step();  // step 1 sees no frame
  sim.step();
  const int p = lit_pixel(sim.input_frame());
  ASSERT_GE(p, 0);
  const auto& w = layer(sim).input_weights();
  for (int i = 0; i < n * n; ++i) {
    // inside the field 0.6 + 0.1 is clipped to w_in_max = 0.65; outside 0 + 0.1
    EXPECT_NEAR(w(i, p), in_field(n, i, p, 1) ? 0.65f : 0.1f, 1e-6f) << i;
  }
  // columns of pixels that were not lit are untouched
  const int other = (p + 1) % (n * n);
  for (int i = 0; i < n * n; ++i) EXPECT_FLOAT_EQ(w(i, other), in_field(n, i, other, 1) ? 0.6f : 0.0f);
}

TEST(Layer, MaskedHebbianStaysInsideTheField) {
  const int n = 7;
  Config c = always_firing(n);
  c.masked = true;
  Simulation sim(c);
  sim.step();
  sim.step();
  const int p = lit_pixel(sim.input_frame());
  const auto& w = layer(sim).input_weights();
  for (int i = 0; i < n * n; ++i) EXPECT_NEAR(w(i, p), in_field(n, i, p, 1) ? 0.65f : 0.0f, 1e-6f) << i;
}

TEST(Layer, StdpInputRuleByHand) {
  const int n = 7;
  Config c = always_firing(n);
  c.input_rule = "stdp";
  c.w_in_max = 1.5;
  c.a_plus = 0.1;
  c.a_minus = 0.05;
  c.tau_plus = c.tau_minus = 1.0 / std::log(2.0);  // traces halve each step
  Simulation sim(c);
  sim.step();  // all fire, no input: post trace becomes 1
  sim.step();  // pixel p lit: depression A- * post(t-1) = 0.05
  const int p = lit_pixel(sim.input_frame());
  const auto& w = layer(sim).input_weights();
  for (int i = 0; i < n * n; ++i) EXPECT_NEAR(w(i, p), in_field(n, i, p, 1) ? 0.55f : 0.0f, 1e-6f) << i;
  sim.step();  // pixel q lit; p's pre trace is 1, post trace 1.5
  const int q = lit_pixel(sim.input_frame());
  ASSERT_NE(p, q);
  for (int i = 0; i < n * n; ++i) {
    // p: potentiation A+ * pre_p = 0.1 on every spiking neuron
    EXPECT_NEAR(w(i, p), in_field(n, i, p, 1) ? 0.65f : 0.1f, 1e-6f) << i;
    // q: no pre trace yet, depression 0.05 * 1.5 = 0.075 (clipped at 0 outside the field)
    EXPECT_NEAR(w(i, q), in_field(n, i, q, 1) ? 0.525f : 0.0f, 1e-6f) << i;
  }
}

TEST(Layer, RecurrentLinksSpreadActivity) {
  Config c = always_firing(9);
  c.bias = 0.0;
  c.rho = 0.0;
  c.eta = 0.0;
  Config rec = c;
  rec.rec_radius = 1;
  rec.w_rec_init = 1.0;
  rec.plastic = false;
  Simulation a(c), b(rec);
  EXPECT_EQ(layer(b).recurrent_offsets(), 8);
  for (int t = 0; t < 3; ++t) {
    a.step();
    b.step();
  }
  // without links only the 3x3 field of the dot fires; with them its ring too
  EXPECT_NEAR(a.last().fire * 81, 9.0, 3.0);
  EXPECT_GT(b.last().fire, a.last().fire + 0.05);
}

TEST(Layer, SameSeedSameStateDifferentSeedDifferent) {
  Config c = load_preset("01_01");
  c.n = 16;
  Simulation a(c), b(c);
  c.seed = 1;
  Simulation d(c);
  for (int t = 0; t < 700; ++t) {
    a.step();
    b.step();
    d.step();
    ASSERT_EQ(a.last().iou100, b.last().iou100);
  }
  EXPECT_EQ(a.model().state_hash(), b.model().state_hash());
  EXPECT_NE(a.model().state_hash(), d.model().state_hash());
}

TEST(Layer, LiveParameterChangesReachTheModel) {
  Simulation sim(load_preset("01_01"));
  sim.set_param("readout.eta_out", 0.0);
  EXPECT_DOUBLE_EQ(sim.config().eta_out, 0.0);
  EXPECT_THROW(sim.set_param("readout.eta_out", -1), ConfigError);
  EXPECT_THROW(sim.set_param("model.n", 10), ConfigError) << "structural keys are not live";
  EXPECT_THROW(sim.set_param("stdp.a_pluss", 1), ConfigError);
  // eta_out = 0 freezes the readout
  for (int t = 0; t < 50; ++t) sim.step();
  const Eigen::MatrixXf before = layer(sim).readout().weights();
  for (int t = 0; t < 600; ++t) sim.step();
  EXPECT_TRUE(before == layer(sim).readout().weights());
}

TEST(Layer, SaveLoadContinuesExactly) {
  Config c = load_preset("01_02");
  c.n = 12;
  c.input_off = {{300, 400}};
  Simulation a(c);
  for (int t = 0; t < 350; ++t) a.step();
  StateArchive archive;
  a.save(archive);
  Simulation b(c);
  b.load(archive);
  EXPECT_EQ(b.step_count(), 350);
  for (int t = 0; t < 200; ++t) {
    a.step();
    b.step();
    ASSERT_EQ(a.last().iou, b.last().iou) << t;
  }
  EXPECT_EQ(a.model().state_hash(), b.model().state_hash());
  EXPECT_EQ(a.summary().resume_iou80, b.summary().resume_iou80);
}

TEST(Layer, LoadRejectsAMismatchedArchiveAndKeepsState) {
  Config c = load_preset("01_01");
  c.n = 12;
  Simulation a(c);
  for (int t = 0; t < 20; ++t) a.step();
  StateArchive archive;
  a.save(archive);
  archive.f32["layer.w_in"].pop_back();
  Simulation b(c);
  b.step();
  const auto hash = b.model().state_hash();
  EXPECT_THROW(b.load(archive), StateError);
  EXPECT_EQ(b.model().state_hash(), hash);
  EXPECT_EQ(b.step_count(), 1);
}

TEST(LayerNeurons, RefractoryStepsComeFromTheConfigByHand) {
  // a bias of 2 crosses the fixed threshold 1 on every step a neuron may
  // fire; neuron.refractory = 3 then silences the whole layer for exactly 3
  // steps after each spike: it fires at steps 1, 5, 9, ...
  Config c = load_preset("01_01");
  c.n = 12;
  c.noise = 0.0;
  c.bias = 2.0;
  c.threshold = "fixed";
  c.theta_init = 1.0;
  c.refractory = 3;
  Simulation sim(c);
  for (int t = 1; t <= 13; ++t) {
    sim.step();
    EXPECT_DOUBLE_EQ(sim.last().fire, t % 4 == 1 ? 1.0 : 0.0) << "step " << t;
  }
  // a live change applies from the next spike on: the spike of step 13 still
  // holds for 3 steps, then refractory 1 gives every other step
  sim.set_param("neuron.refractory", 1.0);
  for (int t = 14; t <= 21; ++t) {
    sim.step();
    EXPECT_DOUBLE_EQ(sim.last().fire, t == 17 || t == 19 || t == 21 ? 1.0 : 0.0) << "step " << t;
  }
}
