// Recordings of runs split over ranks (ranks as threads, no mpirun): the
// real cube model's steps, cut into slabs, recorded by 1-4 ranks give the
// file the one-process Recorder writes of the same run, byte for byte.
#include <chrono>
#include <climits>
#include <thread>

#include "core/config.hpp"
#include "core/simulation.hpp"
#include "io/recording.hpp"
#include "io/slab_recording.hpp"
#include "support/thread_comm.hpp"
#include "tests/io/io_test_util.hpp"

namespace spikecube {
namespace {
using testing::run_ranks;
using testio::ScratchDir;

// What a recorder sees of one step of the whole lattice.
struct StepSeen {
  std::int64_t step;
  NeuronView view;
  Frame input, output;
};

struct RecordedRun {
  io::RecordingHeader header;
  std::vector<StepSeen> steps;
};

io::RecordOptions options() {
  io::RecordOptions opt;
  opt.every = 7;
  opt.slices = {{'z', 1}, {'x', 5}, {'y', 40}, {'z', 3}};
  return opt;
}

// Runs cube-4 (48 x 48 x 4) and records it with the one-process Recorder
// into `path`; returns every step as the recorder saw it.
RecordedRun run_and_record(const std::string& path, std::int64_t steps) {
  Simulation sim(load_preset("cube-4"));
  RecordedRun run{io::recording_header(sim), {}};
  io::Recorder rec(path, sim, options());
  for (std::int64_t i = 0; i < steps; ++i) {
    sim.step();
    rec.record(sim);
    StepSeen seen{sim.step_count(), {}, sim.input_frame(), sim.output_frame()};
    sim.model().view(seen.view, INT_MAX);
    run.steps.push_back(std::move(seen));
  }
  rec.close();
  return run;
}

Slab slab_of(int r, int ranks, std::int64_t planes) {
  const std::int64_t base = planes / ranks, extra = planes % ranks;
  return {r * base + std::min<std::int64_t>(r, extra), base + (r < extra ? 1 : 0), planes};
}

// Rank `comm.rank()`'s part of a seen step: its planes, the input on rank 0,
// the output on the last rank (where the readout lives).
io::SlabStep part_of(const StepSeen& s, const Slab& slab, const Dims& d, int rank, int ranks) {
  const auto plane = static_cast<std::size_t>(d.nx) * static_cast<std::size_t>(d.ny);
  const auto first = plane * static_cast<std::size_t>(slab.first), count = plane * static_cast<std::size_t>(slab.count);
  io::SlabStep p;
  p.step = s.step;
  p.spiked = std::span(s.view.spiked).subspan(first, count);
  p.potential = std::span(s.view.potential).subspan(first, count);
  p.input = rank == 0 ? &s.input : nullptr;
  p.output = rank == ranks - 1 ? &s.output : nullptr;
  return p;
}

void record_with_ranks(const std::string& path, const RecordedRun& run, int ranks,
                       const std::function<void(int rank, io::SlabStep&)>& spoil = {}) {
  run_ranks(ranks, [&](RankComm& comm) {
    const Dims& d = run.header.dims;
    const Slab slab = slab_of(comm.rank(), ranks, d.nz);
    io::SlabRecorder rec(path, run.header, options(), slab, ranks - 1, comm);
    for (const auto& s : run.steps) {
      io::SlabStep part = part_of(s, slab, d, comm.rank(), ranks);
      if (spoil) spoil(comm.rank(), part);
      rec.record(part);
    }
    rec.close();
  });
}

TEST(SlabRecording, AnyRankCountWritesTheFileOneProcessWrites) {
  ScratchDir dir;
  const RecordedRun run = run_and_record(dir / "one.h5", 60);
  const std::string one = testio::read_text(dir / "one.h5");
  ASSERT_GT(one.size(), 10000u);
  // a second later: files that kept modification times would differ now
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (int ranks = 1; ranks <= 4; ++ranks) {
    SCOPED_TRACE(ranks);
    const std::string path = dir / (std::to_string(ranks) + "ranks.h5");
    record_with_ranks(path, run, ranks);
    EXPECT_TRUE(testio::read_text(path) == one) << "the file differs from the Recorder's";
  }
  EXPECT_FALSE(testio::has_temp_files(dir.path()));
}

// Collects every rank's RecordingError text (empty: none thrown).
std::vector<std::string> failing_record(const std::string& path, const RecordedRun& run, int ranks,
                                        const std::function<void(int, io::SlabStep&)>& spoil,
                                        io::RecordOptions opt = options()) {
  std::vector<std::string> errors(static_cast<std::size_t>(ranks));
  run_ranks(ranks, [&](RankComm& comm) {
    try {
      const Dims& d = run.header.dims;
      const Slab slab = slab_of(comm.rank(), ranks, d.nz);
      io::SlabRecorder rec(path, run.header, opt, slab, ranks - 1, comm);
      for (const auto& s : run.steps) {
        io::SlabStep part = part_of(s, slab, d, comm.rank(), ranks);
        spoil(comm.rank(), part);
        rec.record(part);
      }
      rec.close();
    } catch (const io::RecordingError& e) {
      errors[static_cast<std::size_t>(comm.rank())] = e.what();
    }
  });
  return errors;
}

TEST(SlabRecording, AFailureOnAnyRankEndsEveryRankAndKeepsTheOldFile) {
  ScratchDir dir;
  const RecordedRun run = run_and_record(dir / "old.h5", 30);
  const std::string path = dir / "old.h5";
  const std::string before = testio::read_text(path);
  struct Case {
    const char* name;
    std::function<void(int, io::SlabStep&)> spoil;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"a short slab on rank 2",
       [](int r, io::SlabStep& p) {
         if (r == 2 && p.step == 14) p.spiked = p.spiked.first(10);
       },
       "rank 2 recorded 10 spike flags, its slab has 2304 neurons"},
      // rank 0 still receives the others' parts of the step before it reports
      {"short potentials on rank 0 at a sampled step",
       [](int r, io::SlabStep& p) {
         if (r == 0 && p.step == 21) p.potential = {};
       },
       "rank 0 recorded 0 potentials, its slab has 2304 neurons"},
      {"no output frame on the readout's rank",
       [](int r, io::SlabStep& p) {
         if (r == 3) p.output = nullptr;
       },
       "rank 3 holds the readout but gave no output frame"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto errors = failing_record(path, run, 4, c.spoil);
    for (const auto& e : errors) EXPECT_EQ(e, path + ": " + c.message);
    EXPECT_TRUE(testio::read_text(path) == before);
    EXPECT_FALSE(testio::has_temp_files(dir.path()));
  }
  io::RecordOptions outside = options();
  outside.slices.push_back({'z', 4});
  const auto errors = failing_record(
      path, run, 2, [](int, io::SlabStep&) {}, outside);
  for (const auto& e : errors) EXPECT_EQ(e, path + ": slice z:4 is outside the lattice (z in [0, 3])");
}

}  // namespace
}  // namespace spikecube
