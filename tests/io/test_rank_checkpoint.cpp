// Checkpoints of a Simulation split over ranks (io/rank_checkpoint.hpp), on
// ranks as threads: written at 3 ranks, the file resumes at 1, 2 and 4
// ranks, and every resumed run goes on exactly as the run that never
// stopped.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "core/cube_model.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint.hpp"
#include "io/rank_checkpoint.hpp"
#include "support/thread_comm.hpp"
#include "tests/io/io_test_util.hpp"

namespace spikecube {
namespace {

using testing::run_ranks;

Config small(const std::string& preset, int n, int depth, int group = 0) {
  Config c = load_preset(preset);
  c.n = n;
  c.depth = depth;
  if (group > 0) c.group = group;
  c.noise = 0.05;  // spikes on every plane
  c.threads = 1;
  return c;
}

struct Straight {
  std::uint64_t hash_at_save = 0, hash_at_end = 0;
  std::vector<double> fire_after_save;  // per step after the save
};

Straight straight_run(const Config& c, int saved_at, int end) {
  Straight s;
  Simulation sim(c);
  for (int t = 1; t <= end; ++t) {
    sim.step();
    if (t == saved_at) s.hash_at_save = sim.model().state_hash();
    if (t > saved_at) s.fire_after_save.push_back(sim.last().fire);
  }
  s.hash_at_end = sim.model().state_hash();
  return s;
}

void expect_resumes_at_any_rank_count(const Config& c) {
  constexpr int kSaveAt = 25, kEnd = 45;
  const Straight straight = straight_run(c, kSaveAt, kEnd);
  testio::ScratchDir dir;
  const std::string path = dir / "ck.h5";
  std::mutex mu;
  run_ranks(3, [&](RankComm& comm) {
    Simulation sim(c, comm);
    for (int t = 0; t < kSaveAt; ++t) sim.step();
    io::save_checkpoint(path, sim, comm);
    const std::uint64_t h = sim.model().state_hash();
    std::lock_guard lock(mu);
    EXPECT_EQ(h, straight.hash_at_save);
  });
  // one process reads the file the 3 ranks wrote as any checkpoint
  EXPECT_EQ(io::open_checkpoint(path)->model().state_hash(), straight.hash_at_save);
  for (int ranks : {1, 2, 4}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    run_ranks(ranks, [&](RankComm& comm) {
      // 2 ranks from the file's own config, the others into a Simulation of theirs
      std::unique_ptr<Simulation> sim;
      if (ranks == 2) {
        sim = io::open_checkpoint(path, comm);
      } else {
        sim = std::make_unique<Simulation>(c, comm);
        io::load_checkpoint(path, *sim, comm);
      }
      std::vector<double> fire;
      for (int t = kSaveAt; t < kEnd; ++t) {
        sim->step();
        fire.push_back(sim->last().fire);
      }
      const std::uint64_t h = sim->model().state_hash();
      std::lock_guard lock(mu);
      EXPECT_EQ(fire, straight.fire_after_save) << "rank " << comm.rank();
      EXPECT_EQ(h, straight.hash_at_end) << "rank " << comm.rank();
    });
  }
}

TEST(RankCheckpoint, CubeWrittenAtThreeRanksResumesAtOneTwoAndFour) {
  Config c = small("cube-4", 12, 8);
  c.readout_layers = 2;
  expect_resumes_at_any_rank_count(c);
}

TEST(RankCheckpoint, GroupsWrittenAtThreeRanksResumesAtOneTwoAndFour) {
  expect_resumes_at_any_rank_count(small("groups-4", 8, 8, 2));
}

TEST(RankCheckpoint, AFileOfAnotherLatticeIsRefusedOnEveryRank) {
  testio::ScratchDir dir;
  const std::string path = dir / "ck.h5";
  {
    Simulation one(small("cube-4", 12, 8));
    one.step();
    io::save_checkpoint(path, one);
  }
  std::mutex mu;
  std::vector<std::string> errors;
  run_ranks(2, [&](RankComm& comm) {
    Simulation sim(small("cube-4", 12, 6), comm);  // other depth
    try {
      io::load_checkpoint(path, sim, comm);
    } catch (const io::CheckpointError& e) {
      std::lock_guard lock(mu);
      errors.push_back(e.what());
    }
  });
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], errors[1]);
  EXPECT_EQ(errors[0].rfind(path + ":", 0), 0u) << errors[0];
}

}  // namespace
}  // namespace spikecube
