// spikecube-cli run/presets/validate/bench as a user calls them.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "process.hpp"

using namespace spikecube::test;
namespace fs = std::filesystem;

namespace {
std::string fresh_dir(const std::string& name) {
  const std::string d = testing::TempDir() + "/spikecube_cli_" + name;
  fs::remove_all(d);
  return d;
}
}  // namespace

TEST(CliRun, WritesMetricsConfigAndSummary) {
  const std::string dir = fresh_dir("basic");
  const auto r = cli("run --preset 01_02 --steps 300 --seed 1 --set stdp.a_plus=0.01 --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string metrics = slurp(dir + "/metrics.csv");
  EXPECT_EQ(metrics.rfind("step,iou100,fire,out_px", 0), 0u);
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 301);
  const std::string config = slurp(dir + "/config.toml");
  EXPECT_NE(config.find("a_plus = 0.01"), std::string::npos);
  EXPECT_NE(config.find("seed = 1"), std::string::npos);
  EXPECT_NE(slurp(dir + "/summary.json").find("\"first_iou80\""), std::string::npos);
  const std::string last = r.last_line();
  for (const char* key : {"steps=300", "steps_per_s=", "iou100_final=", "fire_final=", "first_iou80="}) {
    EXPECT_NE(last.find(key), std::string::npos) << last;
  }
  EXPECT_EQ(last.find("resume_iou80="), std::string::npos) << "input never came back";
}

TEST(CliRun, ResolvedConfigReproducesTheRun) {
  const std::string a = fresh_dir("repro_a"), b = fresh_dir("repro_b");
  ASSERT_EQ(cli("run --preset 01_01 --steps 400 --seed 3 --set neuron.noise=0.01 --quiet --out " + a).code, 0);
  ASSERT_EQ(cli("run --config " + a + "/config.toml --quiet --out " + b).code, 0);
  EXPECT_EQ(slurp(a + "/metrics.csv"), slurp(b + "/metrics.csv"));
}

TEST(CliRun, SameSeedIdenticalDifferentSeedDifferent) {
  const std::string a = fresh_dir("seed_a"), b = fresh_dir("seed_b"), c = fresh_dir("seed_c");
  ASSERT_EQ(cli("run --preset 01_01 --steps 800 --seed 5 --quiet --out " + a).code, 0);
  ASSERT_EQ(cli("run --preset 01_01 --steps 800 --seed 5 --threads 2 --quiet --out " + b).code, 0);
  ASSERT_EQ(cli("run --preset 01_01 --steps 800 --seed 6 --quiet --out " + c).code, 0);
  EXPECT_EQ(slurp(a + "/metrics.csv"), slurp(b + "/metrics.csv"));
  EXPECT_NE(slurp(a + "/metrics.csv"), slurp(c + "/metrics.csv"));
}

TEST(CliRun, InputOffFlagSwitchesTheInputAndReportsResume) {
  const std::string dir = fresh_dir("off");
  const auto r = cli("run --preset 01_01 --steps 400 --input-off 101:200 --quiet --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.last_line().find("resume_iou80="), std::string::npos);
  const std::string m = slurp(dir + "/metrics.csv");
  EXPECT_NE(m.find("\n100,"), std::string::npos);
  // input_on column is the 7th: on at 100, off at 101..200, on at 201
  auto input_on = [&](int step) {
    // appended piecewise: "\n" + std::to_string(...) trips g++ 12's -Wrestrict false positive
    std::string key = "\n";
    key += std::to_string(step);
    key += ',';
    const auto pos = m.find(key);
    std::istringstream row(m.substr(pos + 1, m.find('\n', pos + 1) - pos - 1));
    std::string field;
    for (int c = 0; c < 7; ++c) std::getline(row, field, ',');
    return field;
  };
  EXPECT_EQ(input_on(100), "1");
  EXPECT_EQ(input_on(101), "0");
  EXPECT_EQ(input_on(200), "0");
  EXPECT_EQ(input_on(201), "1");
}

TEST(CliRun, PresetsValidateHelpVersion) {
  const auto p = cli("presets");
  EXPECT_EQ(p.code, 0);
  EXPECT_NE(p.out.find("01_01"), std::string::npos);
  EXPECT_NE(p.out.find("01_02"), std::string::npos);
  const std::string dir = fresh_dir("validate");
  ASSERT_EQ(cli("run --steps 1 --quiet --out " + dir).code, 0);
  EXPECT_EQ(cli("validate " + dir + "/config.toml").code, 0);
  EXPECT_EQ(cli("--help").code, 0);
  const auto v = cli("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("spikecube-cli"), std::string::npos);
}

TEST(CliRun, LayerBenchPrintsItsFigures) {
  const auto r = cli("bench --model layer --steps 200");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.last_line().rfind("steps_per_s=", 0), 0u) << r.last_line();
  EXPECT_NE(r.last_line().find("spikes_per_step="), std::string::npos);
}
