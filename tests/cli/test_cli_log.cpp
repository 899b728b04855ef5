// The CLI's log (--log-level, --log FILE): quiet by default, so scripts read
// what they read before; at info it names the run and each checkpoint write;
// errors keep their one stderr line and also reach the log file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "process.hpp"

using namespace spikecube::test;
namespace fs = std::filesystem;

namespace {

std::string fresh_dir(const std::string& name) {
  const std::string d = testing::TempDir() + "/spikecube_cli_log_" + std::to_string(::getpid()) + "_" + name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST(CliLog, DefaultLevelAddsNothingToStderr) {
  const std::string dir = fresh_dir("default");
  const auto r = cli("run --preset 01_01 --steps 50 --quiet --checkpoint " + dir + "/ck.h5 --out " + dir + "/out");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.last_line().rfind("steps=50 ", 0), 0u) << r.last_line();
}

TEST(CliLog, InfoNamesTheRunAndEachCheckpointInStderrAndFile) {
  const std::string dir = fresh_dir("info");
  const std::string log = dir + "/run.log";
  const std::string args = "run --preset 01_01 --steps 60 --seed 4 --quiet --checkpoint " + dir +
                           "/ck.h5 --checkpoint-every 30 --out " + dir + "/out --log-level info --log " + log;
  const auto r = cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.last_line().rfind("steps=60 ", 0), 0u) << "stdout's summary line is unchanged: " << r.last_line();
  const std::string start = "run: preset 01_01 (layer 48x48), seed 4, steps 1-60";
  EXPECT_NE(r.err.find("spikecube-cli: [info] " + start), std::string::npos) << r.err;
  const std::string text = slurp(log);
  EXPECT_NE(text.find("[info] " + start), std::string::npos) << text;
  EXPECT_NE(text.find("checkpoint written: " + dir + "/ck_000030.h5 (step 30)"), std::string::npos) << text;
  EXPECT_NE(text.find("checkpoint written: " + dir + "/ck_000060.h5 (step 60)"), std::string::npos) << text;
  EXPECT_NE(text.find("checkpoint written: " + dir + "/ck.h5 (step 60)"), std::string::npos) << text;
  // not per step: a handful of lines for 60 steps
  EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 12) << text;
  // a second run appends
  ASSERT_EQ(cli(args).code, 0);
  EXPECT_EQ(count_of(slurp(log), start), 2u);
}

TEST(CliLog, ErrorLineAlsoReachesTheLogFile) {
  const std::string dir = fresh_dir("error");
  const auto r = cli("run --set neuron.rho=2 --log " + dir + "/run.log");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(slurp(dir + "/run.log").find("[error] --set neuron.rho: 2 is out of range"), std::string::npos);
}

TEST(CliLog, ResumeWithNothingToRunIsAWarning) {
  const std::string dir = fresh_dir("resume");
  ASSERT_EQ(cli("run --preset 01_01 --steps 20 --quiet --checkpoint " + dir + "/ck.h5").code, 0);
  const auto r = cli("run --resume " + dir + "/ck.h5 --quiet");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(
      r.err.find("spikecube-cli: [warning] --resume: the checkpoint is at step 20, run.steps is 20: nothing to run"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(cli("run --resume " + dir + "/ck.h5 --quiet --log-level error").err, "");
}
