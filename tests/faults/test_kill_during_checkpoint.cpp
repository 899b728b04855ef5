// SIGKILL at random moments of a run that writes a checkpoint every few
// steps (most of its time is spent writing): whatever checkpoint files
// remain are complete and load, and the next run writing those paths
// removes the killed run's temporary files.
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "io/checkpoint.hpp"
#include "tests/faults/fault_util.hpp"

namespace spikecube::faults {
namespace {

TEST(KillDuringCheckpoint, TenTrialsLeaveOnlyLoadableCheckpointsAndNoStrayTemps) {
  std::mt19937 rng(16);
  int killed_mid_write = 0, checkpoints_loaded = 0;
  for (int trial = 0; trial < 10; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    ScratchDir dir;
    const std::string ck = dir / "ck.h5";
    // a 24 x 24 layer: 2.7 MB checkpoints, written every 2 steps
    const pid_t pid = testio::spawn_cli({"run", "--preset", "01_01", "--set", "model.n=24", "--steps", "1000000",
                                         "--quiet", "--checkpoint", ck, "--checkpoint-every", "2"},
                                        dir / "out.txt", dir / "err.txt");
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(150, 700)(rng)));
    ::kill(pid, SIGKILL);
    ASSERT_EQ(testio::wait_child(pid), 128 + SIGKILL);

    const bool temps = testio::has_temp_files(dir.path());
    killed_mid_write += temps ? 1 : 0;
    for (const auto& name : testio::files_in(dir.path())) {
      if (name.find(".h5") == std::string::npos || name.find(".tmp.") != std::string::npos) continue;
      EXPECT_NO_THROW(io::read_archive(dir / name)) << name;
      ++checkpoints_loaded;
    }
    // the next run that writes the same checkpoint path cleans up
    const auto r = testio::run_cli({"run", "--preset", "01_01", "--set", "model.n=24", "--steps", "2", "--quiet",
                                    "--checkpoint", ck, "--checkpoint-every", "2"});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(temps, contains(r.err, "removed stale temporary file")) << r.err;
    EXPECT_FALSE(testio::has_temp_files(dir.path())) << r.err;
  }
  EXPECT_GT(checkpoints_loaded, 0);
  RecordProperty("killed_mid_write", killed_mid_write);
  std::cout << "[ info ] " << killed_mid_write << " of 10 kills landed while a checkpoint was being written; "
            << checkpoints_loaded << " complete checkpoints loaded\n";
}

}  // namespace
}  // namespace spikecube::faults
