// Hostile configs (deep nesting, keys of many parts, huge keys, huge files),
// command-line integers out of range, and configs that cannot fit in memory
// (run under `ulimit -v`, so the test machine is never at risk): each gets
// one line naming the problem and exit 2.
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/lattice_slab.hpp"
#include "core/memory_estimate.hpp"
#include "core/simulation.hpp"
#include "tests/faults/fault_util.hpp"

namespace spikecube::faults {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(HostileConfig, RefusedBeforeTheParserRecursesIntoThem) {
  ScratchDir dir;
  const struct {
    const char* name;
    std::string text;
    const char* expect;
  } cases[] = {
      {"nested_arrays", "[run]\nseed = " + repeat("[", 100000) + repeat("]", 100000) + "\n", "nested more than"},
      {"nested_tables", "[run]\nseed = " + repeat("{a=", 100000) + "1" + repeat("}", 100000) + "\n",
       "nested more than"},
      {"dotted_key", "[run]\n" + repeat("a.", 100000) + "a = 1\n", "dotted parts"},
      {"dotted_header", "[" + repeat("a.", 100000) + "a]\n", "dotted parts"},
      {"huge_key", "[run]\n" + std::string(500000, 'k') + " = 1\n", "a key longer than"},
      {"huge_quoted_key", "[run]\n\"" + std::string(500000, 'k') + "\" = 1\n", "a key of 500000 characters"},
      {"huge_file", "# " + std::string(3 << 20, 'x') + "\n", "a config may hold at most"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir / (std::string(c.name) + ".toml");
    testio::write_text(path, c.text);
    EXPECT_THROW(load_config_file(path), ConfigError);
    const auto r = testio::run_cli({"validate", path});
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(contains(one_line(r.err), c.expect)) << r.err;
  }
  // --set values go through the same check
  const auto r = testio::run_cli({"run", "--set", "run.seed=" + repeat("[", 50000), "--steps", "1"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(one_line(r.err), "nested more than")) << r.err;
}

TEST(HostileConfig, OrdinaryConfigsAreWellInsideTheLimits) {
  for (const auto& name : preset_names()) EXPECT_NO_THROW(parse_config(preset_text(name), name)) << name;
  EXPECT_NO_THROW(parse_config(to_toml(Config{}), "resolved"));
  EXPECT_NO_THROW(parse_config(
      "[schedule]\ninput_off = [[1, 2], [5, 9]]  # a [[b]] comment\n[stimulus]\npath = \"a.b.c.d.e.f.g.h.i.j\"\n",
      "x"));
}

TEST(CommandLineIntegers, OutOfRangeValuesGetTheConfigsRange) {
  const struct {
    std::vector<std::string> args;
    const char* expect;
  } cases[] = {
      {{"run", "--seed", "-1"}, "--seed: -1 is out of range; expected an integer in [0, 1000000000000000000]"},
      {{"run", "--steps", "-5"}, "--steps: -5 is out of range; expected an integer in [0, inf)"},
      {{"run", "--steps", "99999999999999999999"}, "--steps: 99999999999999999999 is out of range"},
      {{"run", "--steps", "1e3"}, "--steps: \"1e3\" is not an integer"},
      {{"run", "--threads", "-1"}, "--threads: -1 is out of range; expected an integer in [0, 256]"},
      {{"run", "--threads", "300"}, "--threads: 300 is out of range; expected an integer in [0, 256]"},
      {{"bench", "--model", "layer", "--steps", "-5"},
       "--steps: -5 is out of range; expected an integer in [1, 1000000000]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args[1] + " " + c.args[c.args.size() - 1]);
    const auto r = testio::run_cli(c.args);
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(contains(one_line(r.err), c.expect)) << r.err;
  }
}

TEST(ImpossibleMemory, RefusedWithTheFigureAndTheKeyToChange) {
  if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer's shadow memory cannot start under ulimit -v";
  const struct {
    const char* name;
    std::string sets;
    const char* key;
  } cases[] = {
      {"cube_dense_readout", "--preset cube-4 --set model.n=1024 --set model.depth=64", "readout.enabled = false"},
      {"cube_lattice", "--preset cube-4 --set model.n=1024 --set model.depth=1024 --set readout.enabled=false",
       "model.n or model.depth"},
      {"layer_large_n", "--preset 01_01 --set model.n=1024", "model.n"},
      {"groups_blocks",
       "--preset groups-4 --set model.n=512 --set model.depth=512 --set model.group=16 --set readout.enabled=false",
       "model.group"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // 2 GB of address space: the estimate, not the machine, refuses the run
    const auto r =
        run_shell("ulimit -v 2000000; exec " + std::string(SPIKECUBE_CLI) + " run --steps 1 --quiet " + c.sets);
    EXPECT_EQ(r.rc, 2);
    const std::string line = one_line(r.err);
    EXPECT_TRUE(contains(line, "not enough memory") && contains(line, "bytes") && contains(line, c.key)) << r.err;
  }
}

TEST(ImpossibleMemory, AllocationFailureBeyondTheEstimateIsOneLine) {
  if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer's shadow memory cannot start under ulimit -v";
  // 1.5 GB address space, a model estimated at about 1.3 GB: the estimate
  // lets it through and the allocation may still fail; either way no abort
  const auto r = run_shell(
      "ulimit -v 1500000; exec " + std::string(SPIKECUBE_CLI) +
      " run --steps 1 --quiet --preset cube-4 --set model.n=1024 --set model.depth=30 --set readout.enabled=false");
  EXPECT_NE(r.rc, 134) << r.err;
  if (r.rc != 0) {
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(contains(one_line(r.err), "memory")) << r.err;
  }
}

TEST(MemoryEstimate, CoversWhatTheModelsAllocate) {
  // the estimate's lattice figure against Model::state_bytes of real models
  for (const char* preset : {"01_01", "cube-4", "groups-thin"}) {
    SCOPED_TRACE(preset);
    Config c = load_preset(preset);
    if (c.model != "layer") c.n = 24;
    const Simulation sim(c);
    const MemoryEstimate e = estimate_memory(c);
    const double actual = static_cast<double>(sim.model().state_bytes());
    if (actual == 0) continue;  // models that do not report their state size
    const double estimated = e.lattice_bytes + (c.model == "groups" ? e.other_bytes : 0);
    EXPECT_GE(estimated, actual);
    EXPECT_LE(e.lattice_bytes, 1.3 * actual + 1e5) << "the estimate should stay close, not refuse runs that fit";
  }
}

TEST(MemoryEstimate, EachRankCountsOnlyItsSlab) {
  // over the ranks of a split run the lattice shares add up to the whole
  // lattice, the readout is the last rank's alone, and no rank is refused
  // for memory only the whole lattice needs
  for (const char* preset : {"cube-4", "groups-4"}) {
    Config c = load_preset(preset);
    c.n = 32;
    c.depth = 16;
    const MemoryEstimate whole = estimate_memory(c);
    ASSERT_GT(whole.readout_bytes, 0);
    for (int ranks : {2, 4}) {
      SCOPED_TRACE(std::string(preset) + " over " + std::to_string(ranks) + " ranks");
      double lattice = 0, readout = 0, neurons = 0;
      for (int r = 0; r < ranks; ++r) {
        const Slab slab = lattice_slab(c, r, ranks);
        const MemoryEstimate e = estimate_memory(c, slab);
        lattice += e.lattice_bytes;
        readout += e.readout_bytes;
        neurons += e.neurons;
        EXPECT_EQ(e.readout_bytes > 0, r == ranks - 1);
        EXPECT_LT(e.total(), whole.total());
      }
      EXPECT_NEAR(lattice, whole.lattice_bytes, 1e-6 * whole.lattice_bytes);
      EXPECT_DOUBLE_EQ(readout, whole.readout_bytes);
      EXPECT_NEAR(neurons, whole.neurons, 1e-6 * whole.neurons);
    }
  }
}

}  // namespace
}  // namespace spikecube::faults
