#pragma once
// Set-ups shared by the lattice tests (cube and groups models).

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/model.hpp"
#include "core/simulation.hpp"

namespace spikecube::test {

// No noise, no bias, no readout and a fixed threshold of 1, for
// hand-checkable dynamics. group > 0 makes it a groups model.
inline Config quiet_lattice(int n, int depth, int group = 0) {
  Config c;
  c.model = group > 0 ? "groups" : "cube";
  c.n = n;
  c.depth = depth;
  if (group > 0) c.group = group;
  c.noise = 0.0;
  c.bias = 0.0;
  c.rho = 0.9;
  c.threshold = "fixed";
  c.theta_init = 1.0;
  c.refractory = 0;
  c.w_init_lo = c.w_init_hi = 0.1;
  c.w_max = 0.5;
  c.a_plus = 0.01;
  c.a_minus = 0.012;
  c.tau_plus = c.tau_minus = 20.0;
  c.readout_enabled = false;
  c.readout_layers = 1;
  return c;
}

// Every option that changes the lattice arithmetic switched on: two traces,
// nearest-spike traces, multiplicative updates, weight decay, homeostatic
// thresholds, substeps and an input patch (the determinism tests run these).
inline Config with_every_option(Config c) {
  c.tau_minus = 30.0;
  c.nearest = true;
  c.multiplicative = true;
  c.decay = 1e-4;
  c.threshold = "homeostatic";
  c.theta_min = 0.5;
  c.substeps = 2;
  c.patch_radius = 1;
  return c;
}

// Steps a model directly with all-zero input and target frames.
struct Driver {
  explicit Driver(int n) : zeros(static_cast<std::size_t>(n) * n, 0) {}
  void step(Model& m) {
    StepInput in;
    in.step = ++t;
    in.input = &zeros;
    in.target = &zeros;
    in.input_on = false;
    m.step(in);
  }
  Frame zeros;
  std::int64_t t = 0;
};

// Hash of spikes and all weights after `steps` steps of a fresh simulation.
inline std::uint64_t run_hash(const Config& c, int steps) {
  Simulation sim(c);
  for (int t = 0; t < steps; ++t) sim.step();
  return sim.model().state_hash();
}

// 200 straight steps equal 120 steps, save, load into a new simulation, 80
// more steps, bit for bit. Returns the archive for model-specific checks.
inline StateArchive expect_resume_bit_identical(const Config& c) {
  Simulation straight(c);
  for (int t = 0; t < 200; ++t) straight.step();
  Simulation first(c);
  for (int t = 0; t < 120; ++t) first.step();
  StateArchive a;
  first.save(a);
  Simulation resumed(c);
  resumed.load(a);
  for (int t = 0; t < 80; ++t) resumed.step();
  EXPECT_EQ(straight.model().state_hash(), resumed.model().state_hash());
  return a;
}

}  // namespace spikecube::test
