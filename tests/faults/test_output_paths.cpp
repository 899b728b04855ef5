// Output paths that would cost a file: a symlink (its target is written, the
// link stays), a device or FIFO (refused, untouched), two outputs naming one
// file or an output naming the resumed checkpoint (refused), and temporary
// files of killed runs (removed when their process is gone, kept otherwise).
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "io/checkpoint.hpp"
#include "tests/faults/fault_util.hpp"

namespace spikecube::faults {
namespace {

TEST(OutputPaths, ASymlinkIsFollowedAndStaysALink) {
  ScratchDir dir;
  fs::create_directories(dir.path() / "real");
  const std::string target = dir / "real/ck.h5", link = dir / "ck.h5";
  fs::create_symlink("real/ck.h5", link);  // dangling until the run writes it
  ASSERT_EQ(testio::run_cli(small_layer({"--steps", "7", "--checkpoint", link})).rc, 0);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(io::open_checkpoint(target)->step_count(), 7);
  ASSERT_EQ(testio::run_cli(small_layer({"--steps", "9", "--checkpoint", link, "--out", dir / "out"})).rc, 0);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(io::open_checkpoint(target)->step_count(), 9);
  EXPECT_FALSE(testio::has_temp_files(dir.path()));
}

TEST(OutputPaths, DevicesAndFifosAreRefusedAndLeftAlone) {
  ScratchDir dir;
  const std::string fifo = dir / "fifo.h5", dev = dir / "null.h5";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const bool have_dev = ::mknod(dev.c_str(), S_IFCHR | 0644, makedev(1, 3)) == 0;  // as root: a /dev/null twin
  std::vector<std::pair<std::string, std::string>> cases{{"--checkpoint", fifo}, {"--record", fifo}};
  if (have_dev) {
    cases.push_back({"--checkpoint", dev});
    cases.push_back({"--record", dev});
  }
  for (const auto& [flag, path] : cases) {
    SCOPED_TRACE(flag + " " + path);
    const auto r = testio::run_cli(small_layer({"--steps", "3", flag, path}));
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(contains(one_line(r.err), "not a regular file; refusing to replace it")) << r.err;
  }
  EXPECT_TRUE(fs::is_fifo(fifo));
  if (have_dev) {
    EXPECT_TRUE(fs::is_character_file(dev));
  }
  // an --out folder whose metrics.csv is a FIFO
  fs::create_directories(dir.path() / "out");
  ASSERT_EQ(::mkfifo((dir / "out/metrics.csv").c_str(), 0644), 0);
  const auto r = testio::run_cli(small_layer({"--steps", "3", "--out", dir / "out"}));
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(one_line(r.err), "is a FIFO")) << r.err;
  EXPECT_TRUE(fs::is_fifo(dir / "out/metrics.csv"));
  if (!have_dev) GTEST_SKIP() << "mknod not permitted (not root): device outputs not tried";
}

TEST(OutputPaths, TwoOutputsOrAnOutputAndTheResumedCheckpointOnOneFileAreRefused) {
  ScratchDir dir;
  const std::string ck = dir / "ck.h5";
  ASSERT_EQ(testio::run_cli(small_layer({"--steps", "5", "--checkpoint", ck})).rc, 0);
  const std::string before = testio::read_text(ck);
  fs::create_symlink("ck.h5", dir / "alias.h5");
  const struct {
    std::vector<std::string> args;
    const char* expect;
  } cases[] = {
      {small_layer({"--steps", "3", "--checkpoint", dir / "x.h5", "--record", dir / "x.h5"}),
       "--checkpoint and --record name the same file"},
      {small_layer({"--steps", "3", "--checkpoint", dir / "y.h5", "--record", dir / "./sub/../y.h5"}),
       "name the same file"},
      {{"run", "--resume", ck, "--steps", "3", "--quiet", "--record", ck},
       "--record names the checkpoint given to --resume"},
      {{"run", "--resume", ck, "--steps", "3", "--quiet", "--record", dir / "alias.h5"},
       "names the checkpoint given to --resume"},
      {small_layer({"--steps", "3", "--checkpoint", dir / "out/metrics.csv", "--out", dir / "out"}),
       "name the same file"},
  };
  fs::create_directories(dir.path() / "sub");
  for (const auto& c : cases) {
    const auto r = testio::run_cli(c.args);
    EXPECT_EQ(r.rc, 2);
    EXPECT_TRUE(contains(one_line(r.err), c.expect)) << r.err;
  }
  EXPECT_EQ(testio::read_text(ck), before);
  EXPECT_FALSE(fs::exists(dir / "x.h5"));
  // resuming and writing the checkpoint back to the same file stays allowed
  const auto r = testio::run_cli({"run", "--resume", ck, "--steps", "3", "--quiet", "--checkpoint", ck});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(io::open_checkpoint(ck)->step_count(), 8);
}

TEST(OutputPaths, StaleTempsOfDeadWritersAreRemovedOthersKept) {
  ScratchDir dir;
  // a process id that is certainly gone: a child that has exited and been reaped
  const pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ASSERT_EQ(testio::wait_child(gone), 0);
  // appended piecewise: gcc 12 warns (-Wrestrict, a false positive) on "." + string
  std::string dead = ".", alive = ".";
  dead.append(std::to_string(gone)).append(".0");
  alive.append(std::to_string(::getpid())).append(".0");
  for (const std::string& name : {"ck.h5.tmp" + dead, "ck_000500.h5.tmp" + dead, "rec.h5.tmp" + dead,
                                  "out/metrics.csv.tmp" + dead, "ck.h5.tmp" + alive, "other.h5.tmp" + dead}) {
    fs::create_directories((dir.path() / name).parent_path());
    testio::write_text(dir / name, "partial");
  }
  const auto r = testio::run_cli(
      small_layer({"--steps", "2", "--checkpoint", dir / "ck.h5", "--record", dir / "rec.h5", "--out", dir / "out"}));
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(testio::lines_of(r.err).size(), 4u) << r.err;
  EXPECT_TRUE(contains(r.err, "removed stale temporary file " + (dir / "ck_000500.h5.tmp") + dead)) << r.err;
  for (const std::string& name :
       {"ck.h5.tmp" + dead, "ck_000500.h5.tmp" + dead, "rec.h5.tmp" + dead, "out/metrics.csv.tmp" + dead}) {
    EXPECT_FALSE(fs::exists(dir / name)) << name;
  }
  EXPECT_TRUE(fs::exists(dir / ("ck.h5.tmp" + alive)));    // its writer (this test) still runs
  EXPECT_TRUE(fs::exists(dir / ("other.h5.tmp" + dead)));  // not an output of this run
}

}  // namespace
}  // namespace spikecube::faults
