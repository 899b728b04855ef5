// bench-plain-loop (bench/plain_loop.cpp), the README's reference loop: it
// runs, has the scenario's links, and fires like the engine's bench of the
// same scenario (both are the same model; only the noise numbers differ).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "process.hpp"

using namespace spikecube::test;

namespace {

// The number of the first word "key=NUMBER" in `text` (-1 if none).
double value_of(const std::string& text, const std::string& key) {
  for (const auto& line : lines_of(text)) {
    std::istringstream words(line);
    for (std::string w; words >> w;)
      if (w.rfind(key + "=", 0) == 0) return std::stod(w.substr(key.size() + 1));
  }
  return -1.0;
}

}  // namespace

TEST(BenchPlainLoop, RunsTheScenarioAndFiresLikeTheEngine) {
  const int n = 16, depth = 12;
  const std::string size = " --n " + std::to_string(n) + " --L " + std::to_string(depth) + " --steps 300";
  const auto plain = run_process(std::string(SPIKECUBE_PLAIN_LOOP) + size + " --warmup 200");
  ASSERT_EQ(plain.code, 0) << plain.err;
  // every six-neighbour link, none across a face: 2 per neighbour pair
  const double links = 2.0 * (3.0 * n * n * depth - 2.0 * n * depth - n * n);
  EXPECT_EQ(value_of(plain.out, "links"), links) << plain.out;
  EXPECT_GT(value_of(plain.out, "steps_per_s"), 0.0);
  const double fire = value_of(plain.out, "fire");
  // the scenario is tuned to fire about 3% (docs/cube.md, Benchmark)
  EXPECT_GT(fire, 0.01) << plain.out;
  EXPECT_LT(fire, 0.06) << plain.out;
  // the engine's bench of the same scenario: the rates agree within 15%
  const auto engine = cli("bench --model cube" + size);
  ASSERT_EQ(engine.code, 0) << engine.err;
  const double engine_fire = value_of(engine.last_line(), "spikes_per_step") / (n * n * depth);
  EXPECT_NEAR(fire, engine_fire, 0.15 * engine_fire) << plain.out << engine.out;
  // the STDP moved the weights off their initial mean 0.1 but kept them in [0, 0.25]
  const double mean_w = value_of(plain.out, "mean_weight");
  EXPECT_GT(mean_w, 0.0);
  EXPECT_LT(mean_w, 0.25);
}

TEST(BenchPlainLoop, BadFlagIsAOneLineErrorWithExitCode2) {
  const auto r = run_process(std::string(SPIKECUBE_PLAIN_LOOP) + " --n 2");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
  EXPECT_NE(r.err.find("--n"), std::string::npos) << r.err;
}
