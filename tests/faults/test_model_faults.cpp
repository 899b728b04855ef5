// Runs that used to go wrong silently: a lattice firing all it can (under
// refractoriness), a sequence checkpoint resumed on changed frames, a
// missing frames file that `validate` passed, and a recording without
// samples that the h5py example could not read.
#include <gtest/gtest.h>

#include "core/simulation.hpp"
#include "tests/faults/fault_util.hpp"

namespace spikecube::faults {
namespace {

Config saturated_lattice(double bias, int refractory) {
  Config c = load_preset("cube-4");
  c.n = 12;
  c.threshold = "fixed";
  c.theta_init = 1.0;
  c.refractory = refractory;
  c.bias = bias;
  c.noise = 0.0;
  return c;
}

TEST(Runaway, ALatticeFiringEveryNeuronThatCanFireIsCaught) {
  // bias 2 crosses theta = 1 at once: every neuron fires on every step it
  // is not refractory, i.e. a quarter of the lattice per step at r = 3
  for (int refractory : {0, 3, 10}) {
    SCOPED_TRACE("refractory " + std::to_string(refractory));
    Simulation sim(saturated_lattice(2.0, refractory));
    double fired = 0;
    int steps = 0;
    while (sim.health() == Health::kOk && steps < 3000) {
      sim.step();
      fired += sim.last().fire;
      ++steps;
    }
    EXPECT_EQ(sim.health(), Health::kRunaway);
    EXPECT_LE(steps, 600);
    EXPECT_NEAR(fired / steps, 1.0 / (refractory + 1), 0.05);  // it fired all it could
  }
  // the same with extra charging steps between spikes (every 5-6 steps at r = 3)
  Simulation slow(saturated_lattice(0.4, 3));
  for (int t = 0; t < 3000 && slow.health() == Health::kOk; ++t) slow.step();
  EXPECT_EQ(slow.health(), Health::kRunaway);
}

TEST(Runaway, HealthyPresetsAreNotFlagged) {
  for (const char* preset : {"01_01", "cube-4"}) {
    Simulation sim(load_preset(preset));
    for (int t = 0; t < 1500; ++t) {
      sim.step();
      ASSERT_EQ(sim.health(), Health::kOk) << preset << " step " << t;
    }
  }
}

std::string frames_text(int n, int count, int shift) {
  std::string s;
  for (int f = 0; f < count; ++f) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) s += (x == (f + shift) % n && y == f % n) ? '1' : '0';
      s += '\n';
    }
    s += '\n';
  }
  return s;
}

TEST(SequenceCheckpoint, ResumeRefusesChangedFramesAndAcceptsTheSame) {
  ScratchDir dir;
  const std::string frames = dir / "frames.txt", ck = dir / "ck.h5";
  testio::write_text(frames, frames_text(8, 20, 0));
  const std::vector<std::string> base{"run",
                                      "--preset",
                                      "01_01",
                                      "--set",
                                      "model.n=8",
                                      "--set",
                                      "stimulus.kind=sequence",
                                      "--set",
                                      "stimulus.path=" + frames,
                                      "--quiet"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return extra;
  };
  ASSERT_EQ(testio::run_cli(with({"--steps", "30", "--checkpoint", ck})).rc, 0);
  EXPECT_EQ(testio::run_cli({"run", "--resume", ck, "--steps", "5", "--quiet"}).rc, 0);
  testio::write_text(frames, frames_text(8, 20, 3));  // same size, other content
  const auto r = testio::run_cli({"run", "--resume", ck, "--steps", "5", "--quiet"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(one_line(r.err), "differ from those the checkpoint was made with")) << r.err;
}

TEST(SequenceFile, ValidateFailsWhenTheFramesAreMissing) {
  ScratchDir dir;
  const std::string cfg = dir / "seq.toml";
  testio::write_text(cfg, "[stimulus]\nkind = \"sequence\"\npath = \"" + (dir / "missing.txt") + "\"\n");
  const auto r = testio::run_cli({"validate", cfg});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(one_line(r.err), "stimulus.path")) << r.err;
  testio::write_text(dir / "missing.txt", frames_text(48, 3, 0));
  EXPECT_EQ(testio::run_cli({"validate", cfg}).rc, 0);
}

TEST(RecordingExample, ReadsARecordingWithoutSamples) {
  if (std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with h5py and numpy not found (Debian: python3-h5py)";
  }
  ScratchDir dir;
  const std::string rec = dir / "rec.h5";
  ASSERT_EQ(testio::run_cli(
                {"run", "--preset", "cube-4", "--steps", "0", "--quiet", "--record", rec, "--record-slice", "z:1"})
                .rc,
            0);
  const auto r =
      run_shell("/usr/bin/python3 " + std::string(SPIKECUBE_SOURCE_DIR) + "/docs/recording_example.py " + rec);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "0 hidden spikes")) << r.out;
  EXPECT_TRUE(contains(r.out, "potential z1: 0 samples")) << r.out;
}

}  // namespace
}  // namespace spikecube::faults
