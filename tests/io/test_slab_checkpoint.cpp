// Checkpoints of runs split over ranks (ranks as threads, no mpirun): the
// file a run of R ranks writes is the file one process writes, and any
// number of ranks reads its own planes back from it.
#include <chrono>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#include "io/checkpoint.hpp"
#include "io/slab_checkpoint.hpp"
#include "support/thread_comm.hpp"
#include "tests/io/io_test_util.hpp"

namespace spikecube {
namespace {
using io::SlabLayout;
using testing::run_ranks;
using testio::ScratchDir;

constexpr std::int64_t kPlanes = 7;

// Planes [first, first + count) of rank r of R: as even as possible, the
// first ranks one plane thicker (the split the lattice models use is theirs;
// any tiling must do).
Slab slab_of(int r, int ranks, std::int64_t planes = kPlanes) {
  const std::int64_t base = planes / ranks, extra = planes % ranks;
  const std::int64_t first = r * base + std::min<std::int64_t>(r, extra);
  return {first, base + (r < extra ? 1 : 0), planes};
}

// A deterministic, irregular value for element i of array `salt`.
std::uint64_t mix(std::uint64_t salt, std::uint64_t i) {
  std::uint64_t h = (salt * 0x9e3779b97f4a7c15ULL) ^ (i + 0x632be59bd9b4e019ULL);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 29);
}
template <typename T>
std::vector<T> values(std::uint64_t salt, std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t h = mix(salt, i);
    if constexpr (std::is_floating_point_v<T>) v[i] = static_cast<T>(static_cast<double>(h >> 11) * 0x1p-40 - 1e3);
    else v[i] = static_cast<T>(h);
  }
  return v;
}

// The split arrays (elements per plane), the owned ones (owner: the last
// rank, as the readout's), and the whole state of a one-process run.
const std::map<std::string, std::int64_t> kPerPlane = {
    {"lat.v", 6}, {"lat.w", 18}, {"lat.spikes", 6}, {"lat.refrac", 6}, {"lat.none", 0}};

StateArchive global_state() {
  StateArchive g;
  g.f32["lat.v"] = values<float>(1, 6 * kPlanes);
  g.f64["lat.w"] = values<double>(2, 18 * kPlanes);
  g.u8["lat.spikes"] = values<std::uint8_t>(3, 6 * kPlanes);
  g.i64["lat.refrac"] = values<std::int64_t>(4, 6 * kPlanes);
  g.f32["lat.none"] = {};
  g.f32["readout.w"] = values<float>(5, 11);
  g.i64["readout.count"] = {3, -4, std::numeric_limits<std::int64_t>::min()};
  g.i64["sim.step"] = {1234};
  g.f64["metrics.window"] = values<double>(6, 5);
  g.u8["stim.mask"] = values<std::uint8_t>(7, 9);
  g.f32["x.empty"] = {};
  g.text["model"] = "cube";
  g.text["config"] = "[model]\ntype = \"cube\"\n";
  g.text["empty"] = "";
  return g;
}

SlabLayout layout_of(int r, int ranks) {
  SlabLayout l;
  l.slab = slab_of(r, ranks);
  l.per_plane = kPerPlane;
  l.owner = {{"readout.w", ranks - 1}, {"readout.count", ranks - 1}};
  return l;
}

template <typename T>
std::vector<T> planes_of(const std::vector<T>& v, std::int64_t per_plane, const Slab& s) {
  return std::vector<T>(v.begin() + s.first * per_plane, v.begin() + (s.first + s.count) * per_plane);
}

// What rank r of R holds: its planes of the split arrays, the owned arrays
// only on their owner (the others hold a stale copy that must not be
// written), the rest as everyone.
StateArchive local_state(const StateArchive& g, int r, int ranks) {
  const SlabLayout l = layout_of(r, ranks);
  StateArchive a = g;
  a.f32["lat.v"] = planes_of(g.f32.at("lat.v"), 6, l.slab);
  a.f64["lat.w"] = planes_of(g.f64.at("lat.w"), 18, l.slab);
  a.u8["lat.spikes"] = planes_of(g.u8.at("lat.spikes"), 6, l.slab);
  a.i64["lat.refrac"] = planes_of(g.i64.at("lat.refrac"), 6, l.slab);
  if (r != ranks - 1) {
    a.f32["readout.w"].assign(4, -1.0f);
    a.i64["readout.count"] = {0};
  }
  return a;
}

// The part read_archive_slab must return: split arrays cut, the rest whole.
StateArchive expected_part(const StateArchive& g, int r, int ranks) {
  StateArchive a = local_state(g, r, ranks);
  a.f32["readout.w"] = g.f32.at("readout.w");
  a.i64["readout.count"] = g.i64.at("readout.count");
  return a;
}

void write_with_ranks(const std::string& path, const StateArchive& g, int ranks) {
  run_ranks(ranks, [&](RankComm& comm) {
    io::write_archive_slabs(path, local_state(g, comm.rank(), ranks), layout_of(comm.rank(), ranks), comm);
  });
}

// Runs a slab write on `ranks` ranks in which each rank's archive and layout
// may be spoiled; returns every rank's error text (empty: it did not throw).
std::vector<std::string> failing_write(const std::string& path, const StateArchive& g, int ranks,
                                       const std::function<void(int, StateArchive&, SlabLayout&)>& spoil) {
  std::vector<std::string> errors(static_cast<std::size_t>(ranks));
  run_ranks(ranks, [&](RankComm& comm) {
    StateArchive a = local_state(g, comm.rank(), ranks);
    SlabLayout l = layout_of(comm.rank(), ranks);
    spoil(comm.rank(), a, l);
    try {
      io::write_archive_slabs(path, a, l, comm);
    } catch (const io::CheckpointError& e) {
      EXPECT_EQ(e.path(), path);
      errors[static_cast<std::size_t>(comm.rank())] = e.what();
    }
  });
  return errors;
}

void expect_same_error_everywhere(const std::vector<std::string>& errors, const std::string& part) {
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find(part), std::string::npos) << errors[0];
  EXPECT_EQ(errors[0].find('\n'), std::string::npos);
  for (std::size_t r = 1; r < errors.size(); ++r) EXPECT_EQ(errors[r], errors[0]) << "rank " << r;
}

TEST(SlabCheckpoint, AnyRankCountWritesTheFileOneProcessWrites) {
  ScratchDir dir;
  const StateArchive g = global_state();
  io::write_archive(dir / "one.h5", g);
  const std::string one = testio::read_text(dir / "one.h5");
  // a second later: files that kept modification times would differ now
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  for (int ranks = 1; ranks <= 4; ++ranks) {
    SCOPED_TRACE(ranks);
    const std::string path = dir / (std::to_string(ranks) + "ranks.h5");
    write_with_ranks(path, g, ranks);
    EXPECT_EQ(io::read_archive(path), g);
    // objects carry no modification times: the same bytes, not just the same content
    EXPECT_TRUE(testio::read_text(path) == one) << "the file differs from write_archive's";
  }
  EXPECT_FALSE(testio::has_temp_files(dir.path()));
}

TEST(SlabCheckpoint, AFileWrittenByThreeRanksLoadsOnOneToFourRanks) {
  ScratchDir dir;
  const StateArchive g = global_state();
  const std::string path = dir / "r3.h5";
  write_with_ranks(path, g, 3);
  for (int ranks = 1; ranks <= 4; ++ranks) {
    SCOPED_TRACE(ranks);
    std::vector<StateArchive> parts(static_cast<std::size_t>(ranks));
    run_ranks(ranks, [&](RankComm& comm) {
      parts[static_cast<std::size_t>(comm.rank())] = io::read_archive_slab(path, layout_of(comm.rank(), ranks));
    });
    for (int r = 0; r < ranks; ++r) EXPECT_EQ(parts[static_cast<std::size_t>(r)], expected_part(g, r, ranks)) << r;
  }
}

// Slabs of more planes than fit in one message go as several (whole planes
// per message); owned arrays too.
TEST(SlabCheckpoint, LargeSlabsGoInPieces) {
  ScratchDir dir;
  const std::int64_t per_plane = (io::kSlabPieceBytes / 2) + 3;  // two planes do not fit in one piece
  const std::int64_t owned = io::kSlabPieceBytes + 5;
  StateArchive g;
  g.u8["big"] = values<std::uint8_t>(8, static_cast<std::size_t>(per_plane * 3));
  g.u8["owned"] = values<std::uint8_t>(9, static_cast<std::size_t>(owned));
  g.text["model"] = "cube";
  const std::string path = dir / "big.h5";
  run_ranks(2, [&](RankComm& comm) {
    SlabLayout l;
    l.slab = comm.rank() == 0 ? Slab{0, 1, 3} : Slab{1, 2, 3};
    l.per_plane = {{"big", per_plane}};
    l.owner = {{"owned", 1}};
    StateArchive a;
    a.u8["big"] = planes_of(g.u8.at("big"), per_plane, l.slab);
    if (comm.rank() == 1) a.u8["owned"] = g.u8.at("owned");
    a.text["model"] = "cube";
    io::write_archive_slabs(path, a, l, comm);
  });
  EXPECT_EQ(io::read_archive(path), g);
  SlabLayout l;
  l.slab = {2, 1, 3};
  l.per_plane = {{"big", per_plane}};
  EXPECT_EQ(io::read_archive_slab(path, l).u8.at("big"), planes_of(g.u8.at("big"), per_plane, l.slab));
}

TEST(SlabCheckpoint, AMissingArrayOnOneRankFailsEveryRankAndWritesNothing) {
  ScratchDir dir;
  const std::string path = dir / "c.h5";
  const auto errors = failing_write(path, global_state(), 3, [](int r, StateArchive& a, SlabLayout&) {
    if (r == 2) a.f64.erase("lat.w");
  });
  expect_same_error_everywhere(errors, "rank 2 has no array 'lat.w'");
  EXPECT_TRUE(testio::files_in(dir.path()).empty());
}

TEST(SlabCheckpoint, AFailedWriteLeavesTheOldFileUntouched) {
  ScratchDir dir;
  const std::string path = dir / "c.h5";
  StateArchive old = global_state();
  old.text["config"] = "old";
  io::write_archive(path, old);
  const std::string before = testio::read_text(path);
  const StateArchive g = global_state();

  struct Case {
    const char* name;
    std::function<void(int, StateArchive&, SlabLayout&)> spoil;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"wrong size",
       [](int r, StateArchive& a, SlabLayout&) {
         if (r == 1) a.f32["lat.v"].pop_back();
       },
       "rank 1: array 'lat.v' has 11 elements, expected 12 (6 per plane x 2 planes)"},
      {"owner without its array",
       [](int r, StateArchive& a, SlabLayout&) {
         if (r == 3) a.f32.erase("readout.w");
       },
       "rank 3 (its owner) has no array 'readout.w'"},
      {"another type",
       [](int r, StateArchive& a, SlabLayout&) {
         if (r != 2) return;
         a.f64["lat.refrac"] = std::vector<double>(a.i64["lat.refrac"].size());
         a.i64.erase("lat.refrac");
       },
       "rank 2 holds array 'lat.refrac' as f64, rank 0 as i64"},
      {"gap between slabs",
       [](int r, StateArchive& a, SlabLayout& l) {
         if (r == 2) {
           l.slab.first += 1;
           l.slab.count -= 1;
           a.f32["lat.v"].resize(6 * static_cast<std::size_t>(l.slab.count));
           a.f64["lat.w"].resize(18 * static_cast<std::size_t>(l.slab.count));
           a.u8["lat.spikes"].resize(6 * static_cast<std::size_t>(l.slab.count));
           a.i64["lat.refrac"].resize(6 * static_cast<std::size_t>(l.slab.count));
         }
       },
       "the ranks' slabs do not tile the lattice (rank 2 starts at plane 5, expected 4)"},
      // found by rank 0 while the others are already sending their slabs
      {"unstorable name on rank 0", [](int, StateArchive& a, SlabLayout&) { a.u8["a/b"] = {1}; },
       "array name 'a/b' cannot be stored"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto errors = failing_write(path, g, 4, c.spoil);
    expect_same_error_everywhere(errors, c.message);
    EXPECT_TRUE(testio::read_text(path) == before);
    EXPECT_EQ(testio::files_in(dir.path()), std::vector<std::string>{"c.h5"});
  }
}

TEST(SlabCheckpoint, AnUnwritablePathFailsEveryRank) {
  ScratchDir dir;
  const std::string path = dir / "no/such/folder/c.h5";
  const auto errors = failing_write(path, global_state(), 2, [](int, StateArchive&, SlabLayout&) {});
  expect_same_error_everywhere(errors, "cannot write");
}

// A damaged file is refused by the slab reader with read_archive's words.
TEST(SlabCheckpoint, DamagedFilesAreRefusedAsByReadArchive) {
  ScratchDir dir;
  write_with_ranks(dir / "good.h5", global_state(), 2);
  const std::string good = testio::read_text(dir / "good.h5");
  testio::write_text(dir / "trunc.h5", good.substr(0, good.size() - 100));
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
  testio::write_text(dir / "flip.h5", flipped);
  testio::write_text(dir / "empty.h5", "");
  const std::vector<std::pair<std::string, std::string>> cases = {{"trunc.h5", "truncated"},
                                                                  {"flip.h5", "checksum mismatch"},
                                                                  {"empty.h5", "empty file"},
                                                                  {"none.h5", "cannot open"}};
  for (const auto& [name, words] : cases) {
    SCOPED_TRACE(name);
    std::string by_slab, whole;
    try {
      io::read_archive_slab(dir / name, layout_of(1, 2));
    } catch (const io::CheckpointError& e) {
      by_slab = e.what();
    }
    try {
      io::read_archive(dir / name);
    } catch (const io::CheckpointError& e) {
      whole = e.what();
    }
    EXPECT_NE(by_slab.find(words), std::string::npos) << by_slab;
    EXPECT_EQ(by_slab, whole);
  }
}

TEST(SlabCheckpoint, ALatticeOfAnotherSizeIsRefused) {
  ScratchDir dir;
  write_with_ranks(dir / "c.h5", global_state(), 2);
  SlabLayout l = layout_of(0, 2);
  l.slab = {0, 4, 8};  // the file holds 7 planes
  try {
    io::read_archive_slab(dir / "c.h5", l);
    FAIL() << "no error";
  } catch (const io::CheckpointError& e) {
    EXPECT_NE(e.cause().find("has 42 elements, expected 48 (6 per plane x 8 planes)"), std::string::npos) << e.what();
  }
  l.slab = {5, 4, 7};
  EXPECT_THROW(io::read_archive_slab(dir / "c.h5", l), io::CheckpointError);
}

}  // namespace
}  // namespace spikecube
