// A full disk while writing recordings, checkpoints and metrics: exit 2 with
// one line naming the file and "no space left", no crash, and the files an
// earlier run left at those paths are untouched.
#include <gtest/gtest.h>

#include "io/checkpoint.hpp"
#include "tests/faults/fault_util.hpp"

namespace spikecube::faults {
namespace {

#define SKIP_WITHOUT(disk) \
  if (!(disk).ok()) GTEST_SKIP() << (disk).why()

bool is_hdf5(const std::string& path) {
  const std::string head = testio::read_text(path).substr(0, 8);
  return head == std::string("\x89HDF\r\n\x1a\n", 8);
}

TEST(DiskFull, RecordingStopsCleanlyAndKeepsTheEarlierRecording) {
  ScratchDir dir;
  SmallDisk disk(dir, 4);
  SKIP_WITHOUT(disk);
  const std::string rec = disk / "rec.h5";
  ASSERT_EQ(testio::run_cli({"run", "--preset", "cube-4", "--steps", "20", "--quiet", "--record", rec}).rc, 0);
  const std::string before = testio::read_text(rec);
  // four sampled planes every step: megabytes within a few hundred steps
  const auto r = testio::run_cli({"run", "--preset", "cube-4", "--steps", "3000", "--quiet", "--record", rec,
                                  "--record-every", "1", "--record-slice", "z:0", "--record-slice", "z:1",
                                  "--record-slice", "z:2", "--record-slice", "z:3"});
  EXPECT_EQ(r.rc, 2) << r.err;  // not 139: libhdf5 must not crash at exit
  const std::string line = one_line(r.err);
  EXPECT_TRUE(contains(line, rec) && contains(line, "no space left")) << r.err;
  EXPECT_EQ(testio::read_text(rec), before);
  EXPECT_FALSE(testio::has_temp_files(disk.path()));
}

TEST(DiskFull, CheckpointStopsCleanlyAndKeepsTheEarlierCheckpoint) {
  ScratchDir dir;
  SmallDisk disk(dir, 4);
  SKIP_WITHOUT(disk);
  const std::string ck = disk / "ck.h5";
  ASSERT_EQ(testio::run_cli(small_layer({"--steps", "30", "--checkpoint", ck})).rc, 0);
  // the full-size layer's checkpoint (about 40 MB) cannot fit
  const auto r = testio::run_cli({"run", "--preset", "01_01", "--steps", "5", "--quiet", "--checkpoint", ck});
  EXPECT_EQ(r.rc, 2) << r.err;
  const std::string line = one_line(r.err);
  EXPECT_TRUE(contains(line, ck) && contains(line, "no space left")) << r.err;
  EXPECT_EQ(io::open_checkpoint(ck)->step_count(), 30);
  EXPECT_FALSE(testio::has_temp_files(disk.path()));
}

TEST(DiskFull, AFailedCheckpointDoesNotCostTheRecording) {
  ScratchDir dir;
  SmallDisk disk(dir, 4);
  SKIP_WITHOUT(disk);
  const std::string ck = disk / "ck.h5", rec = disk / "rec.h5";
  const auto r =
      testio::run_cli({"run", "--preset", "01_01", "--steps", "50", "--quiet", "--checkpoint", ck, "--record", rec});
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_TRUE(contains(one_line(r.err), "no space left")) << r.err;
  EXPECT_FALSE(fs::exists(ck));
  ASSERT_TRUE(fs::exists(rec)) << r.err;
  EXPECT_TRUE(is_hdf5(rec));
  EXPECT_FALSE(testio::has_temp_files(disk.path()));
}

TEST(DiskFull, MetricsStopTheRunAndKeepTheEarlierOutputs) {
  ScratchDir dir;
  SmallDisk disk(dir, 4);
  SKIP_WITHOUT(disk);
  const std::string out = disk / "out";
  ASSERT_EQ(testio::run_cli(small_layer({"--steps", "50", "--out", out})).rc, 0);
  const std::string metrics_before = testio::read_text(out + "/metrics.csv");
  disk.fill_leaving(64 * 1024);
  // about 60 bytes of metrics per step: 20,000 steps need over a megabyte
  const auto r = testio::run_cli(small_layer({"--steps", "20000", "--out", out}));
  EXPECT_EQ(r.rc, 2) << r.err;
  const std::string line = one_line(r.err);
  EXPECT_TRUE(contains(line, out + "/metrics.csv") && contains(line, "no space left")) << r.err;
  EXPECT_EQ(testio::read_text(out + "/metrics.csv"), metrics_before);
  EXPECT_FALSE(testio::has_temp_files(disk.path()));
}

}  // namespace
}  // namespace spikecube::faults
