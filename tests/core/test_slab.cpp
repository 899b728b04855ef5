// A lattice split into slabs of z-planes over ranks (ranks as threads:
// tests/support/thread_comm.hpp) must be the lattice of one process: the
// same spikes every step, the same metrics on every rank, the same
// state_hash, for any rank count and any thread count per rank.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "core/cube_model.hpp"
#include "core/lattice_slab.hpp"
#include "core/readout.hpp"
#include "core/rng.hpp"
#include "core/simulation.hpp"
#include "core/slab_hash.hpp"
#include "tests/core/lattice_fixtures.hpp"
#include "support/thread_comm.hpp"

namespace spikecube {
namespace {

// ---- the streaming hash ---------------------------------------------------

TEST(StreamHash, EqualsHashBytesOfTheConcatenationForAnySplit) {
  std::vector<unsigned char> data(203);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(rng::mix64(i) & 0xff);
  const std::uint64_t whole = hash_bytes(17, data.data(), data.size());
  for (std::size_t a : {0, 1, 3, 8, 13, 64, 200})
    for (std::size_t b : {a, a + 1, a + 7, a + 9, std::size_t{203}}) {
      if (b > data.size()) continue;
      StreamHash s(17);
      s.add(data.data(), a);
      s.add(data.data() + a, b - a);
      s.add(data.data() + b, data.size() - b);
      EXPECT_EQ(s.finish(), whole) << "split at " << a << ", " << b;
    }
  StreamHash twice(5);  // finish() starts the next field from the hash so far
  twice.add(data.data(), 11);
  const std::uint64_t first = twice.finish();
  twice.add(data.data() + 11, 21);
  EXPECT_EQ(twice.finish(), hash_bytes(hash_bytes(5, data.data(), 11), data.data() + 11, 21));
  EXPECT_EQ(first, hash_bytes(5, data.data(), 11));
}

// ---- the decomposition ----------------------------------------------------

Config lattice(const std::string& preset, int n, int depth, int group = 0) {
  Config c = load_preset(preset);
  c.n = n;
  c.depth = depth;
  if (group > 0) c.group = group;
  return c;
}

TEST(LatticeSlab, SlabsCoverTheLatticeEvenlyWithTheReadoutOnTheLastRank) {
  Config c = lattice("cube-4", 8, 10);
  c.readout_layers = 1;
  for (int ranks = 1; ranks <= 10; ++ranks) {
    std::int64_t next = 0, lo = c.depth, hi = 0;
    for (int r = 0; r < ranks; ++r) {
      const Slab s = lattice_slab(c, r, ranks);
      EXPECT_EQ(s.first, next);
      EXPECT_EQ(s.total, c.depth);
      next = s.first + s.count;
      lo = std::min(lo, s.count);
      hi = std::max(hi, s.count);
    }
    EXPECT_EQ(next, c.depth);
    EXPECT_LE(hi - lo, 1) << ranks << " ranks";
  }
  c.readout_layers = 4;  // 10 planes over 4 ranks: 2 2 2 4
  EXPECT_EQ(lattice_slab(c, 3, 4).count, 4);
  EXPECT_EQ(lattice_slab(c, 0, 4).count, 2);
  Config g = lattice("groups-4", 8, 12, 2);  // 6 layers of groups over 4 ranks: whole group layers
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(lattice_slab(g, r, 4).first % 2, 0);
    EXPECT_EQ(lattice_slab(g, r, 4).count % 2, 0);
  }
}

void expect_refused(const Config& c, int ranks, const std::string& field) {
  try {
    lattice_slab(c, 0, ranks);
    ADD_FAILURE() << "split over " << ranks << " ranks was not refused";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(field + ":", 0), 0u) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(LatticeSlab, RefusesWhatCannotBeSplit) {
  expect_refused(lattice("cube-4", 8, 3), 4, "model.depth");         // fewer planes than ranks
  expect_refused(lattice("groups-4", 8, 4, 2), 3, "model.depth");    // 2 layers of groups for 3 ranks
  Config r = lattice("cube-4", 8, 4);
  r.readout_layers = 3;
  expect_refused(r, 3, "readout.layers");  // the last rank needs 3 of 4 planes: 1 left for 2 ranks
  expect_refused(load_preset("01_01"), 2, "model.type");  // the layer model is not decomposed
  Config lateral = lattice("cube-4", 8, 4);
  lateral.lateral_radius = 2;
  expect_refused(lateral, 2, "lattice.lateral_radius");
  EXPECT_NO_THROW(lattice_slab(load_preset("01_01"), 0, 1));  // one rank: anything goes
  // through the Simulation, on every rank alike
  EXPECT_THROW(testing::run_ranks(4, [&](RankComm& comm) { Simulation sim(lattice("cube-4", 8, 3), comm); }),
               ConfigError);
}

// ---- a split run is the whole run -----------------------------------------

struct Trace {
  std::vector<std::vector<double>> metrics;  // per rank: every metric of StepMetrics and the layer rates, step by step
  std::vector<std::vector<std::uint8_t>> spikes;  // per step: the whole lattice's
  std::vector<std::uint64_t> hash;                // per rank
};

std::vector<double> metric_row(const Simulation& sim) {
  const StepMetrics& m = sim.last();
  std::vector<double> row = {m.iou, m.iou100, m.fire, static_cast<double>(m.out_px), static_cast<double>(m.target_px)};
  row.insert(row.end(), m.extra.begin(), m.extra.end());
  std::vector<double> layers;
  sim.model().layer_rates(layers);
  row.insert(row.end(), layers.begin(), layers.end());
  return row;
}

Trace run(const Config& c, int ranks, int steps) {
  Trace t;
  const auto N = static_cast<std::size_t>(c.n) * static_cast<std::size_t>(c.n) * static_cast<std::size_t>(c.depth);
  t.spikes.assign(static_cast<std::size_t>(steps), std::vector<std::uint8_t>(N, 2));
  t.metrics.assign(static_cast<std::size_t>(ranks), {});
  t.hash.assign(static_cast<std::size_t>(ranks), 0);
  testing::run_ranks(ranks, [&](RankComm& comm) {
    Simulation sim(c, comm);
    const auto& model = dynamic_cast<const CubeModel&>(sim.model());
    const auto first = static_cast<std::size_t>(model.params().first_index);
    const auto count = static_cast<std::size_t>(model.params().count);
    auto& mine = t.metrics[static_cast<std::size_t>(comm.rank())];
    for (int s = 0; s < steps; ++s) {
      sim.step();
      // each rank writes its own planes only
      auto& whole = t.spikes[static_cast<std::size_t>(s)];
      std::copy(model.spikes(), model.spikes() + count, whole.begin() + static_cast<std::ptrdiff_t>(first));
      for (double v : metric_row(sim)) mine.push_back(v);
    }
    t.hash[static_cast<std::size_t>(comm.rank())] = sim.model().state_hash();
  });
  return t;
}

void expect_split_equals_whole(Config c, int steps) {
  c.threads = 1;
  const Trace whole = run(c, 1, steps);
  std::int64_t spikes = 0;
  for (const auto& s : whole.spikes)
    for (std::uint8_t b : s) spikes += b;
  ASSERT_GT(spikes, 10 * steps) << "the lattice must be active for the comparison to mean anything";
  for (int ranks : {2, 3, 4})
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::to_string(ranks) + " ranks x " + std::to_string(threads) + " threads");
      c.threads = threads;
      const Trace split = run(c, ranks, steps);
      for (int s = 0; s < steps; ++s)
        ASSERT_EQ(split.spikes[static_cast<std::size_t>(s)], whole.spikes[static_cast<std::size_t>(s)])
            << "step " << s + 1;
      for (int r = 0; r < ranks; ++r) {
        EXPECT_EQ(split.metrics[static_cast<std::size_t>(r)], whole.metrics[0]) << "metrics of rank " << r;
        EXPECT_EQ(split.hash[static_cast<std::size_t>(r)], whole.hash[0]) << "state_hash on rank " << r;
      }
    }
}

TEST(Slab, CubeSplitOverRanksIsTheWholeCube) {
  Config c = lattice("cube-4", 12, 8);
  c.noise = 0.05;  // activity everywhere, across every slab face
  c.gain_zm = 1.0;  // links in both z directions
  c.readout_layers = 2;
  expect_split_equals_whole(c, 40);
}

TEST(Slab, CubeSplitOverRanksIsTheWholeCubeWithThePortableStdp) {
  Config c = lattice("cube-4", 12, 8);
  c.noise = 0.05;
  c.gain_zm = 1.0;
  CubeModel::portable_kernels = true;  // the other test runs the AVX-512 kernel where the build has one
  expect_split_equals_whole(c, 30);
  CubeModel::portable_kernels = false;
}

TEST(Slab, CubeWithEveryOptionSplitOverRanksIsTheWholeCube) {
  Config c = test::with_every_option(lattice("cube-4", 10, 8));
  c.theta_init = 0.6;
  c.noise = 0.3;
  c.gain_zm = 1.0;
  c.bias_decay = 6.0;      // rules that depend on the global layer
  c.density_zp = 0.7;      // link masks drawn by global index
  c.density_xm = 0.8;
  c.inhibition = "layer";  // k-WTA per layer
  c.inhibition_k = 6;
  c.inhibition_gain = 0.5;
  c.normalize = true;
  expect_split_equals_whole(c, 30);
}

TEST(Slab, GroupsSplitOverRanksIsTheWholeModel) {
  Config c = lattice("groups-4", 8, 8, 2);
  c.noise = 0.05;
  expect_split_equals_whole(c, 30);
}

TEST(Slab, GroupsWithGroupInhibitionSplitOverRanksIsTheWholeModel) {
  Config c = lattice("groups-4", 8, 8, 2);
  c.noise = 0.3;
  c.inhibition = "group";
  c.inhibition_k = 2;
  c.inhibition_gain = 1.0;
  expect_split_equals_whole(c, 30);
}

}  // namespace
}  // namespace spikecube
