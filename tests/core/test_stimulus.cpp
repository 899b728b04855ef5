// The moving dot (reflection at every edge and corner, random start, period),
// the other stimuli, the input schedule, and the switch's timing rules.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/simulation.hpp"
#include "core/stimulus.hpp"

using namespace spikecube;

namespace {
Dot step(Dot d, int n) {
  d.advance(n);
  return d;
}
void expect_dot(const Dot& d, int x, int y, int vx, int vy) {
  EXPECT_EQ(d.x, x);
  EXPECT_EQ(d.y, y);
  EXPECT_EQ(d.vx, vx);
  EXPECT_EQ(d.vy, vy);
}
}  // namespace

TEST(Dot, MovesDiagonallyInside) { expect_dot(step({2, 2, 1, -1}, 5), 3, 1, 1, -1); }

TEST(Dot, ReflectsAtEachEdge) {
  expect_dot(step({4, 2, 1, 1}, 5), 3, 3, -1, 1);    // right: x = 2n-2-x = 3
  expect_dot(step({0, 2, -1, 1}, 5), 1, 3, 1, 1);    // left: x = -x = 1
  expect_dot(step({2, 0, 1, -1}, 5), 3, 1, 1, 1);    // top
  expect_dot(step({2, 4, -1, 1}, 5), 1, 3, -1, -1);  // bottom
}

TEST(Dot, ReflectsAtEachCorner) {
  expect_dot(step({4, 4, 1, 1}, 5), 3, 3, -1, -1);
  expect_dot(step({0, 0, -1, -1}, 5), 1, 1, 1, 1);
  expect_dot(step({0, 4, -1, 1}, 5), 1, 3, 1, -1);
  expect_dot(step({4, 0, 1, -1}, 5), 3, 1, -1, 1);
}

TEST(Dot, StartsOnAnEdgeMovingInwards) {
  const int n = 48;
  std::set<int> edges;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const Dot d = Dot::random_start(n, seed, 0);
    ASSERT_TRUE(d.x >= 0 && d.x < n && d.y >= 0 && d.y < n);
    ASSERT_TRUE(std::abs(d.vx) == 1 && std::abs(d.vy) == 1);
    if (d.y == 0 && d.vy == 1) edges.insert(0);
    else if (d.y == n - 1 && d.vy == -1) edges.insert(1);
    else if (d.x == 0 && d.vx == 1) edges.insert(2);
    else if (d.x == n - 1 && d.vx == -1) edges.insert(3);
    else FAIL() << "seed " << seed << " starts at (" << d.x << "," << d.y << ") not moving inwards from an edge";
  }
  EXPECT_EQ(edges.size(), 4u) << "all four edges are used";
}

TEST(Dot, PathIsPeriodicWith2nMinus2StepsAndVisits94Pixels) {
  const int n = 48;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    Dot d = Dot::random_start(n, seed, 0);
    std::vector<int> first, second;
    for (int t = 0; t < 2 * (n - 1); ++t, d.advance(n)) first.push_back(d.y * n + d.x);
    for (int t = 0; t < 2 * (n - 1); ++t, d.advance(n)) second.push_back(d.y * n + d.x);
    EXPECT_EQ(first, second) << "seed " << seed;
    EXPECT_EQ(std::set<int>(first.begin(), first.end()).size(), 94u) << "seed " << seed << ": no corner starts";
  }
}

TEST(Stimulus, DotsBarAndSequenceDrawWhatTheyShould) {
  Config c;
  c.n = 10;
  c.stimulus = "dots";
  c.dots = 3;
  auto dots = make_stimulus(c);
  Frame f;
  dots->draw(f);
  EXPECT_GE(count_on(f), 1);
  EXPECT_LE(count_on(f), 3);
  EXPECT_EQ(dots->points().size(), 3u);

  c.stimulus = "bar";
  auto bar = make_stimulus(c);
  bar->draw(f);
  EXPECT_EQ(count_on(f), 10);
  auto s = bar->state();
  bar->advance();
  bar->set_state(s);
  Frame g;
  bar->draw(g);
  EXPECT_EQ(f, g);

  const std::string path = testing::TempDir() + "/spikecube_frames_" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream out(path);
    out << "# two frames of 3 x 3\n100\n000\n000\n\n000\n010\n000\n";
  }
  c.n = 3;
  c.stimulus = "sequence";
  c.sequence_path = path;
  auto seq = make_stimulus(c);
  seq->draw(f);
  EXPECT_EQ(f, (Frame{1, 0, 0, 0, 0, 0, 0, 0, 0}));
  seq->advance();
  seq->draw(f);
  EXPECT_EQ(f, (Frame{0, 0, 0, 0, 1, 0, 0, 0, 0}));
  seq->advance();
  seq->draw(f);
  EXPECT_EQ(f[0], 1) << "the sequence loops";
  {
    std::ofstream out(path);
    out << "101\n01\n";
  }
  EXPECT_THROW(load_frame_sequence(path, 3), ConfigError);
  std::remove(path.c_str());
}

// Position after k steps of a point bouncing between 0 and n - 1 that starts
// at p0 with velocity v0, computed without the stimulus code: the motion
// unfolds onto a circle of 2(n - 1) positions, folded back at n - 1.
int bounce(int p0, int v0, int k, int n) {
  const int period = 2 * (n - 1);
  const int u = v0 > 0 ? p0 : (period - p0) % period;
  const int m = (u + k) % period;
  return m <= n - 1 ? m : period - m;
}

std::set<int> lit(const Frame& f) {
  std::set<int> out;
  for (std::size_t i = 0; i < f.size(); ++i)
    if (f[i]) out.insert(static_cast<int>(i));
  return out;
}

TEST(Stimulus, BounceByHand) {
  EXPECT_EQ(bounce(0, 1, 9, 10), 9);
  EXPECT_EQ(bounce(0, 1, 10, 10), 8);
  EXPECT_EQ(bounce(9, -1, 3, 10), 6);
  EXPECT_EQ(bounce(0, -1, 1, 10), 1);
  EXPECT_EQ(bounce(9, 1, 1, 10), 8);
  EXPECT_EQ(bounce(4, 1, 18, 10), 4);
}

TEST(Stimulus, DotsMoveAndBounceFrameByFrame) {
  // three dots on a 10 x 10 grid, each from its random start: every frame
  // lights exactly the pixels where the unfolded motion puts them
  for (std::uint64_t seed : {0u, 5u}) {
    Config c;
    c.n = 10;
    c.stimulus = "dots";
    c.dots = 3;
    c.seed = seed;
    auto dots = make_stimulus(c);
    std::vector<Dot> start;
    for (std::uint64_t i = 0; i < 3; ++i) start.push_back(Dot::random_start(10, seed, i));
    Frame f;
    std::set<int> seen;
    for (int k = 0; k < 40; ++k, dots->advance()) {
      std::set<int> expect;
      std::vector<Point> points;
      for (const Dot& d : start) {
        const Point p{bounce(d.x, d.vx, k, 10), bounce(d.y, d.vy, k, 10)};
        expect.insert(p.y * 10 + p.x);
        points.push_back(p);
      }
      dots->draw(f);
      ASSERT_EQ(lit(f), expect) << "seed " << seed << " frame " << k;
      ASSERT_EQ(dots->points(), points) << "seed " << seed << " frame " << k;
      seen.insert(expect.begin(), expect.end());
    }
    EXPECT_GE(seen.size(), 30u) << "the dots travel";
  }
}

TEST(Stimulus, BarSweepsAndBouncesFrameByFrame) {
  // a full row or column from one edge to the other and back: the lit
  // pixels are exactly that line, at the unfolded position
  std::set<std::pair<bool, int>> kinds;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    Config c;
    c.n = 10;
    c.stimulus = "bar";
    c.seed = seed;
    auto bar = make_stimulus(c);
    const auto s = bar->state();
    ASSERT_EQ(s.size(), 3u);
    const bool vertical = s[0] != 0;
    const int p0 = static_cast<int>(s[1]), v0 = static_cast<int>(s[2]);
    ASSERT_TRUE((p0 == 0 && v0 == 1) || (p0 == 9 && v0 == -1)) << "starts at an edge, moving inwards";
    kinds.insert({vertical, p0});
    Frame f;
    for (int k = 0; k < 25; ++k, bar->advance()) {
      const int pos = bounce(p0, v0, k, 10);
      std::set<int> expect;
      for (int i = 0; i < 10; ++i) expect.insert(vertical ? i * 10 + pos : pos * 10 + i);
      bar->draw(f);
      ASSERT_EQ(lit(f), expect) << "seed " << seed << " frame " << k;
    }
  }
  EXPECT_GE(kinds.size(), 3u) << "seeds pick the orientation and the starting edge";
}

TEST(Schedule, OffIntervalsAreInclusive) {
  InputSchedule s({{3001, 4000}, {5000, 5000}});
  EXPECT_TRUE(s.scheduled_on(3000));
  EXPECT_FALSE(s.scheduled_on(3001));
  EXPECT_FALSE(s.scheduled_on(4000));
  EXPECT_TRUE(s.scheduled_on(4001));
  EXPECT_FALSE(s.scheduled_on(5000));
  EXPECT_TRUE(s.scheduled_on(5001));
}

TEST(Schedule, InputLagsTargetAndTheDotFreezesWhileOff) {
  Config c = load_preset("01_01");
  c.n = 8;
  c.input_off = {{5, 7}};
  Simulation sim(c);
  std::vector<Frame> targets, inputs;
  for (int t = 1; t <= 10; ++t) {
    sim.step();
    targets.push_back(sim.target_frame());
    inputs.push_back(sim.input_frame());
    EXPECT_EQ(sim.last().input_on, t < 5 || t > 7) << t;
  }
  EXPECT_EQ(count_on(inputs[0]), 0) << "step 1 has no previous frame";
  for (int t = 2; t <= 10; ++t) EXPECT_EQ(inputs[t - 1], targets[t - 2]) << "input(t) = target(t-1) at " << t;
  for (int t = 5; t <= 7; ++t) EXPECT_EQ(count_on(targets[t - 1]), 0) << t;
  EXPECT_EQ(count_on(inputs[7]), 0) << "first step back still sees the empty frame";
  // the dot continues where it stopped: step 8 shows what step 5 would have shown
  Config free_run = c;
  free_run.input_off.clear();
  Simulation ref(free_run);
  std::vector<Frame> ref_targets;
  for (int t = 1; t <= 7; ++t) {
    ref.step();
    ref_targets.push_back(ref.target_frame());
  }
  EXPECT_EQ(targets[7], ref_targets[4]);
  EXPECT_EQ(targets[8], ref_targets[5]);
  EXPECT_EQ(targets[9], ref_targets[6]);
}

TEST(Schedule, ManualSwitchActsLikeTheSchedule) {
  Config c = load_preset("01_01");
  c.n = 8;
  Simulation sim(c);
  sim.step();
  sim.set_input_enabled(false);
  sim.step();
  EXPECT_FALSE(sim.last().input_on);
  EXPECT_EQ(count_on(sim.target_frame()), 0);
  sim.set_input_enabled(true);
  sim.step();
  EXPECT_TRUE(sim.last().input_on);
  EXPECT_EQ(count_on(sim.target_frame()), 1);
}
