// Every kind of bad input gets one clear line naming the key and the allowed
// range, exit code 2, and no output folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "process.hpp"

using namespace spikecube::test;
namespace fs = std::filesystem;

namespace {

struct BadCase {
  std::string name;
  std::string args;    // after `run`
  std::string toml;    // written to a config file and passed with --config when non-empty
  std::string expect;  // must appear in the error line
};

// readable names in ctest output instead of a byte dump
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::string write_config(const std::string& name, const std::string& text) {
  const std::string path = unique_temp("bad_" + name + ".toml");
  std::ofstream(path) << text;
  return path;
}

}  // namespace

class CliBadInput : public testing::TestWithParam<BadCase> {};

TEST_P(CliBadInput, OneLineErrorExitTwoNoOutput) {
  const BadCase& c = GetParam();
  const std::string out = unique_temp("bad_out_" + c.name);
  fs::remove_all(out);
  std::string args = "run " + c.args + " --out " + out;
  if (!c.toml.empty()) args += " --config " + write_config(c.name, c.toml);
  const auto r = cli(args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "no output folder for bad input";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    testing::Values(
        BadCase{"malformed", "", "[model\nn = 4\n", "malformed TOML"},
        BadCase{"unknown_key", "", "[stdp]\na_plsu = 0.1\n", "did you mean stdp.a_plus"},
        BadCase{"wrong_type", "", "[neuron]\nrho = \"high\"\n", "neuron.rho: wrong type"},
        BadCase{"small_n", "", "[model]\nn = 2\n", "model.n: 2 is out of range; expected an integer in [3, 1024]"},
        BadCase{"negative_rate", "", "[layer]\neta = -0.5\n", "layer.eta"},
        BadCase{"radius", "", "[model]\nn = 10\n[layer]\nradius = 12\n", "layer.radius: 12 is larger than the grid"},
        BadCase{"steps_negative", "--steps -4", "", "--steps"},
        BadCase{"set_unknown", "--set neuron.rhoo=0.5", "", "did you mean neuron.rho"},
        BadCase{"set_range", "--set stdp.a_minus=-1", "",
                "stdp.a_minus: -1 is out of range; expected a number in [0, 10]"},
        BadCase{"set_syntax", "--set stdp.a_minus", "", "expected KEY=VALUE"},
        BadCase{"input_off", "--input-off 40:10", "", "--input-off: \"40:10\" is not an interval"},
        BadCase{"input_off_word", "--input-off soon", "", "--input-off"},
        BadCase{"preset", "--preset nope", "", "unknown preset"},
        BadCase{"missing_config", "--config /nonexistent.toml", "", "cannot open"},
        BadCase{"seed_word", "--seed abc", "", "--seed"}, BadCase{"log_level", "--log-level loud", "", "--log-level"},
        BadCase{"log_file", "--log /dev/null/run.log", "", "--log /dev/null/run.log: cannot open"},
        BadCase{"override_z", "",
                "[model]\ntype = \"cube\"\nn = 8\ndepth = 4\n[[override]]\nz = [2, 4]\nneuron.bias = 0.1\n",
                "override[0]: z: [2, 4] is out of range; expected [first, last] with 0 <= first <= last <= 3"},
        BadCase{"override_key", "", "[model]\ntype = \"cube\"\n[[override]]\nz = [0, 0]\nneuron.bais = 0.1\n",
                "override[0]: neuron.bais: unknown key; did you mean neuron.bias"},
        BadCase{"override_global_key", "", "[model]\ntype = \"cube\"\n[[override]]\nz = [0, 0]\nstdp.tau_plus = 10\n",
                "override[0]: stdp.tau_plus: cannot be set per layer"},
        BadCase{"override_layer_model", "", "[[override]]\nz = [0, 0]\nneuron.bias = 0.1\n",
                "override: [[override]] sets layers of the lattice models"},
        BadCase{"density_zero", "--set lattice.density_zp=0", "",
                "--set lattice.density_zp: 0 is out of range; expected a number in (0, 1]"},
        BadCase{"wta_negative", "--set inhibition.k=-1", "",
                "inhibition.k: -1 is out of range; expected an integer in [0, 1000000000]"},
        BadCase{"steps_range", "--steps -4", "", "--steps: -4 is out of range; expected an integer in [0, inf)"},
        BadCase{"threads_300", "--threads 300", "", "--threads: 300 is out of range; expected an integer in [0, 256]"},
        BadCase{"threads_negative", "--threads -1", "",
                "--threads: -1 is out of range; expected an integer in [0, 256]"},
        BadCase{"set_threads_300", "--set run.threads=300", "",
                "run.threads: 300 is out of range; expected an integer in [0, 256]"},
        BadCase{"checkpoint_every_negative", "--checkpoint-every -5 --checkpoint never.h5", "",
                "--checkpoint-every: must be >= 0"},
        BadCase{"record_every_zero", "--record-every 0 --record never.h5", "", "--record-every: must be >= 1"},
        BadCase{"nan_value", "--set neuron.noise=nan", "",
                "neuron.noise: nan is out of range; expected a number in [0, 10]"},
        BadCase{"inf_in_file", "", "[neuron]\nbias = inf\n",
                "neuron.bias: inf is out of range; expected a number in [-10, 10]"}),
    [](const testing::TestParamInfo<BadCase>& param) { return param.param.name; });

TEST(CliBadOutput, UnwritableOrFileOutputIsAClearError) {
  const std::string file = unique_temp("not_a_dir");
  std::ofstream(file) << "x";
  const auto r = cli("run --steps 5 --out " + file);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(file), "x") << "the user's file is untouched";
}

TEST(CliBadOutput, UnknownFlagAndSubcommand) {
  const auto a = cli("run --stepz 5");
  EXPECT_EQ(a.code, 2);
  EXPECT_EQ(std::count(a.err.begin(), a.err.end(), '\n'), 1) << a.err;
  EXPECT_EQ(cli("fly").code, 2);
}

TEST(CliBadResume, ConfigFlagsAreRefusedWithResume) {
  // --resume takes the whole config from the checkpoint: --set, --seed,
  // --threads, --input-off and --replay are refused with one line, exit 2, no output
  const std::string ck = unique_temp("resume_src.h5");
  ASSERT_EQ(cli("run --steps 20 --quiet --checkpoint " + ck + " --out " + unique_temp("resume_src")).code, 0);
  const std::string before = slurp(ck);
  for (const std::string flag :
       {"--seed 3", "--threads 2", "--input-off 30:40", "--replay 30:40", "--set neuron.bias=0.1"}) {
    const std::string out = unique_temp("resume_out");
    fs::remove_all(out);
    const auto r = cli("run --resume " + ck + " --steps 5 " + flag + " --out " + out);
    EXPECT_EQ(r.code, 2) << flag << ": " << r.err;
    EXPECT_EQ(r.err,
              "spikecube-cli: --resume: --set, --seed, --threads, --input-off and --replay cannot be combined "
              "with it (the checkpoint holds the config)\n")
        << flag;
    EXPECT_FALSE(fs::exists(out)) << flag;
  }
  EXPECT_EQ(slurp(ck), before) << "the checkpoint is untouched";
  // the same resume without them runs
  EXPECT_EQ(cli("run --resume " + ck + " --steps 5 --quiet").code, 0);
  fs::remove_all(unique_temp("resume_src"));
  std::remove(ck.c_str());
}

TEST(CliBadResume, CheckpointEveryZeroMeansNoNumberedCheckpoints) {
  // 0 is the option's default ("off"), not bad input: only the final
  // checkpoint is written
  const std::string dir = unique_temp("every0");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto r =
      cli("run --steps 30 --quiet --checkpoint " + dir + "/ck.h5 --checkpoint-every 0 --out " + dir + "/out");
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"ck.h5", "out"}));
  fs::remove_all(dir);
}
