// spikecube-cli run with --checkpoint / --resume / --record, as a black box:
// exact resume, one-line errors for bad input, faults, SIGINT/SIGTERM, and
// the h5py example of the README.
#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "core/config.hpp"
#include "core/health.hpp"
#include "core/simulation.hpp"
#include "io/checkpoint.hpp"
#include "io/recording.hpp"
#include "tests/io/io_test_util.hpp"

namespace spikecube {
namespace {
using testio::ChildResult;
using testio::run_cli;
using testio::ScratchDir;
namespace fs = std::filesystem;

std::string summary_hash(const std::string& out_dir) {
  const std::string json = testio::read_text(out_dir + "/summary.json");
  const auto at = json.find("\"state_hash\": \"");
  return at == std::string::npos ? std::string() : json.substr(at + 15, 16);
}

struct ResumeCase {
  std::string preset;
  std::int64_t a, b, every;  // run A steps with a checkpoint every `every`, then B more
};

// 01_02 crosses the input-off window 3001-4000 (A = 3500); the larger models
// take shorter runs through the CLI (test_io covers them across the window).
std::vector<ResumeCase> resume_cases() {
  std::vector<ResumeCase> out;
  for (const auto& p : testio::exactness_presets(preset_names())) {
    out.push_back(p == "01_02" ? ResumeCase{p, 3500, 700, 1000} : ResumeCase{p, 900, 300, 300});
  }
  return out;
}

void PrintTo(const ResumeCase& c, std::ostream* os) { *os << c.preset << " A=" << c.a << " B=" << c.b; }

std::string case_name(const ::testing::TestParamInfo<ResumeCase>& info) {
  std::string n = info.param.preset;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

class CliResume : public ::testing::TestWithParam<ResumeCase> {};

// The new metrics.csv holds exactly the rows steps A+1..A+B of a straight run.
TEST_P(CliResume, MetricsAndHashMatchAStraightRun) {
  ScratchDir dir;
  const auto& [preset, a_steps, b_steps, every] = GetParam();
  const auto str = [](std::int64_t v) { return std::to_string(v); };
  const auto numbered = [&](std::int64_t step) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "ck_%06lld.h5", static_cast<long long>(step));
    return dir / buf;
  };
  const auto ref =
      run_cli({"run", "--preset", preset, "--steps", str(a_steps + b_steps), "--quiet", "--out", dir / "ref"});
  ASSERT_EQ(ref.rc, 0) << ref.err;
  const auto a = run_cli({"run", "--preset", preset, "--steps", str(a_steps), "--quiet", "--out", dir / "a",
                          "--checkpoint", dir / "ck.h5", "--checkpoint-every", str(every)});
  ASSERT_EQ(a.rc, 0) << a.err;
  EXPECT_TRUE(fs::exists(dir / "ck.h5"));
  for (std::int64_t s = every; s <= a_steps; s += every) EXPECT_TRUE(fs::exists(numbered(s))) << s;
  EXPECT_FALSE(fs::exists(numbered((a_steps / every + 1) * every)));
  const auto b = run_cli({"run", "--resume", dir / "ck.h5", "--steps", str(b_steps), "--quiet", "--out", dir / "b"});
  ASSERT_EQ(b.rc, 0) << b.err;

  const auto ref_rows = testio::lines_of(testio::read_text(dir / "ref/metrics.csv"));
  const auto b_rows = testio::lines_of(testio::read_text(dir / "b/metrics.csv"));
  ASSERT_EQ(static_cast<std::int64_t>(ref_rows.size()), a_steps + b_steps + 1);
  ASSERT_EQ(static_cast<std::int64_t>(b_rows.size()), b_steps + 1);
  EXPECT_EQ(b_rows[0], ref_rows[0]);  // header
  EXPECT_EQ(b_rows[1].substr(0, b_rows[1].find(',')), str(a_steps + 1));
  for (std::size_t i = 1; i < b_rows.size(); ++i) {
    ASSERT_EQ(b_rows[i], ref_rows[static_cast<std::size_t>(a_steps) + i]) << "row " << i;
  }
  EXPECT_FALSE(summary_hash(dir / "ref").empty());
  EXPECT_EQ(summary_hash(dir / "b"), summary_hash(dir / "ref"));
  EXPECT_EQ(testio::read_text(dir / "b/config.toml"), testio::read_text(dir / "a/config.toml"));

  // resuming an earlier numbered checkpoint, with the preset named, gives the same rows again
  const std::int64_t mid = 2 * every;
  const auto c = run_cli({"run", "--preset", preset, "--resume", numbered(mid), "--steps", str(a_steps + b_steps - mid),
                          "--quiet", "--out", dir / "c"});
  ASSERT_EQ(c.rc, 0) << c.err;
  const auto c_rows = testio::lines_of(testio::read_text(dir / "c/metrics.csv"));
  ASSERT_EQ(static_cast<std::int64_t>(c_rows.size()), a_steps + b_steps - mid + 1);
  for (std::size_t i = 1; i < c_rows.size(); ++i) {
    ASSERT_EQ(c_rows[i], ref_rows[static_cast<std::size_t>(mid) + i]) << "row " << i;
  }
  EXPECT_EQ(summary_hash(dir / "c"), summary_hash(dir / "ref"));
}

INSTANTIATE_TEST_SUITE_P(Models, CliResume, ::testing::ValuesIn(resume_cases()), case_name);

// ---- bad input: one clear line, exit 2, nothing half-written ----

struct BadCase {
  std::string name;
  std::vector<std::string> args;  // {} placeholders: FILE, OUT, DIR replaced below
  std::string expect;             // substring of the error line
  bool names_file = true;         // the line names FILE
};

TEST(CliBadInput, EachGetsOneClearLineAndExit2) {
  ScratchDir dir;
  // a good checkpoint to derive the bad ones from
  const auto good = run_cli({"run", "--preset", "01_02", "--steps", "50", "--quiet", "--checkpoint", dir / "good.h5",
                             "--record", dir / "rec.h5"});
  ASSERT_EQ(good.rc, 0) << good.err;
  const std::string bytes = testio::read_text(dir / "good.h5");
  ASSERT_GT(bytes.size(), 4096u);

  testio::write_text(dir / "malformed.h5", "[model]\ntype = \"layer\"\n");
  testio::write_text(dir / "truncated.h5", bytes.substr(0, bytes.size() / 3));
  std::string v = bytes;
  v[16] = 2;
  testio::write_text(dir / "newer.h5", v);
  v[16] = 0;
  testio::write_text(dir / "older.h5", v);
  std::string flip = bytes;
  flip[bytes.size() - 100] = static_cast<char>(flip[bytes.size() - 100] ^ 1);
  testio::write_text(dir / "corrupt.h5", flip);
  std::string noise(8192, '\0');
  std::uint64_t x = 88172645463325252ULL;
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  testio::write_text(dir / "random.h5", noise);
  testio::write_text(dir / "empty.h5", "");
  fs::create_directories(dir / "folder.h5");
  testio::write_text(dir / "plainfile", "x");
  {
    // a checkpoint whose state is another model's
    StateArchive a = io::read_archive(dir / "good.h5");
    a.text["model"] = "cube";
    io::write_archive(dir / "othermodel.h5", a);
  }

  const std::string F = "FILE";
  std::vector<BadCase> cases = {
      {"malformed", {"--resume", F}, "not a spikecube checkpoint"},
      {"truncated", {"--resume", F}, "truncated"},
      {"newer", {"--resume", F}, "format version 2 is newer"},
      {"older", {"--resume", F}, "format version 0 is older"},
      {"corrupt", {"--resume", F}, "checksum mismatch"},
      {"random", {"--resume", F}, "not a spikecube checkpoint"},
      {"empty", {"--resume", F}, "empty file"},
      {"folder", {"--resume", F}, "is a directory"},
      {"missing", {"--resume", F}, "No such file"},
      {"othermodel", {"--resume", F}, "holds a 'cube' model"},
      {"recording", {"--resume", F}, "not a spikecube checkpoint"},
  };
  for (auto& c : cases)
    c.args[1] = dir / (c.name == "folder" ? "folder.h5" : c.name == "recording" ? "rec.h5" : c.name + ".h5");
  const auto names = preset_names();
  if (std::find(names.begin(), names.end(), "cube-4") != names.end()) {
    cases.push_back({"cube_from_layer", {"--preset", "cube-4", "--resume", dir / "good.h5"}, "holds a 'layer' model"});
  }
  // unwritable outputs (the tests may run as root, so no permission bits: a file in the way)
  cases.push_back({"out_under_file", {"--out", dir / "plainfile/sub"}, "plainfile/sub", false});
  cases.push_back(
      {"checkpoint_under_file", {"--checkpoint", dir / "plainfile/ck.h5"}, "cannot write (Not a directory)", false});
  cases.push_back({"checkpoint_is_folder", {"--checkpoint", dir / "folder.h5"}, "is a directory", false});
  cases.push_back({"record_under_file", {"--record", dir / "plainfile/r.h5"}, "cannot write (Not a directory)", false});
  cases.push_back({"every_without_checkpoint", {"--checkpoint-every", "10"}, "needs --checkpoint", false});
  cases.push_back({"slice_outside", {"--record", dir / "r.h5", "--record-slice", "z:3"}, "outside the lattice", false});
  cases.push_back(
      {"slice_malformed", {"--record", dir / "r.h5", "--record-slice", "w:1"}, "expected AXIS:INDEX", false});
  cases.push_back(
      {"resume_with_set", {"--resume", dir / "good.h5", "--set", "neuron.bias=0.1"}, "cannot be combined", false});

  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string out = dir / ("out_" + c.name);
    std::vector<std::string> args = {"run", "--steps", "20", "--quiet"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const bool has_out = std::find(c.args.begin(), c.args.end(), "--out") != c.args.end();
    if (!has_out) args.insert(args.end(), {"--out", out});
    const ChildResult r = run_cli(args);
    EXPECT_EQ(r.rc, 2) << r.err;
    const auto lines = testio::lines_of(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind("spikecube-cli: ", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find(c.expect), std::string::npos) << lines[0];
    if (c.names_file) {
      EXPECT_NE(lines[0].find(c.args[c.args.size() - 1]), std::string::npos) << lines[0];
    }
    EXPECT_TRUE(r.out.empty()) << r.out;
    // nothing written: the out folder holds no file, and no temporary files anywhere
    EXPECT_TRUE(testio::files_in(out).empty()) << c.name;
    EXPECT_FALSE(testio::has_temp_files(dir.path()));
    EXPECT_FALSE(fs::exists(dir / "r.h5"));
  }
}

// ---- faults ----

TEST(CliFault, RunawayExits3AndSavesTheState) {
  ScratchDir dir;
  const auto r = run_cli({"run", "--preset", "01_01", "--steps", "3000", "--quiet", "--set", "neuron.bias=10", "--out",
                          dir / "out", "--checkpoint", dir / "ck.h5"});
  EXPECT_EQ(r.rc, 3) << r.err;
  const auto lines = testio::lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("runaway firing"), std::string::npos) << lines[0];
  const std::string fault = dir / "out/fault.h5";
  EXPECT_NE(lines[0].find("state saved to " + fault), std::string::npos) << lines[0];
  auto sim = io::open_checkpoint(fault);
  EXPECT_NE(lines[0].find("step " + std::to_string(sim->step_count()) + ":"), std::string::npos) << lines[0];
  EXPECT_EQ(sim->health(), Health::kRunaway);
  // the line states the layer model's rule, which cannot trigger sooner
  EXPECT_NE(lines[0].find(health_message(Health::kRunaway, "layer")), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("on each of 1000 steps in a row"), std::string::npos) << lines[0];
  EXPECT_GE(sim->step_count(), kLayerRunawaySteps);
  // the normal checkpoint is not written from a faulted state; the outputs are
  EXPECT_FALSE(fs::exists(dir / "ck.h5"));
  const auto rows = testio::lines_of(testio::read_text(dir / "out/metrics.csv"));
  EXPECT_EQ(static_cast<std::int64_t>(rows.size()) - 1, sim->step_count());
  EXPECT_TRUE(fs::exists(dir / "out/summary.json"));
}

// Bias 10 without refractoriness: every neuron of the lattice fires on every
// frame from the first, so the lattice rule (half the lattice, 500 frames in
// a row) stops the run at frame 500 exactly, and the line says so.
TEST(CliFault, LatticeRunawayStopsAtTheRulesFrameAndStatesTheRule) {
  ScratchDir dir;
  const auto r = run_cli({"run", "--preset", "cube-4", "--steps", "2000", "--quiet", "--set", "neuron.bias=10", "--set",
                          "neuron.refractory=0", "--out", dir / "out"});
  EXPECT_EQ(r.rc, 3) << r.err;
  const auto lines = testio::lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("spikecube-cli: step " + std::to_string(kLatticeRunawayFrames) + ": ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(health_message(Health::kRunaway, "cube")), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("at least 50% of what it can, per step or on average, on each of 500 frames in a row"),
            std::string::npos)
      << lines[0];
}

TEST(CliFault, NanExits3NamingTheStepAndSavesTheState) {
  // A NaN cannot come from valid settings (every value is range-checked), so
  // it comes from a state: a checkpoint whose arrays are intact but hold one
  // NaN potential (as damaged memory or a crafted file with a valid checksum
  // would). Resuming it must stop at the first step with exit code 3.
  ScratchDir dir;
  ASSERT_EQ(run_cli({"run", "--preset", "01_01", "--steps", "40", "--quiet", "--checkpoint", dir / "good.h5"}).rc, 0);
  StateArchive a = io::read_archive(dir / "good.h5");
  int poisoned = 0;
  for (auto& [name, values] : a.f32) {
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".v") == 0 && !values.empty()) {
      values[7] = std::numeric_limits<float>::quiet_NaN();
      ++poisoned;
    }
  }
  ASSERT_EQ(poisoned, 1) << "one potential array";
  io::write_archive(dir / "nan.h5", a);
  const auto r = run_cli({"run", "--resume", dir / "nan.h5", "--steps", "100", "--quiet", "--out", dir / "out"});
  EXPECT_EQ(r.rc, 3) << r.err;
  const auto lines = testio::lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("step 41:"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(health_message(Health::kNonFinite, "layer")), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("state saved to " + dir / "out/fault.h5"), std::string::npos) << lines[0];
  auto sim = io::open_checkpoint(dir / "out/fault.h5");
  EXPECT_EQ(sim->step_count(), 41);
  EXPECT_EQ(sim->health(), Health::kNonFinite);
  const auto rows = testio::lines_of(testio::read_text(dir / "out/metrics.csv"));
  EXPECT_EQ(rows.size(), 2u) << "the header and step 41";
}

// ---- signals ----

class CliSignal : public ::testing::TestWithParam<int> {};

TEST_P(CliSignal, FinishesTheStepAndWritesEverything) {
  const int sig = GetParam();
  ScratchDir dir;
  const pid_t pid =
      testio::spawn_cli({"run", "--preset", "01_02", "--steps", "100000000", "--quiet", "--out", dir / "out",
                         "--checkpoint", dir / "ck.h5", "--checkpoint-every", "100", "--record", dir / "rec.h5"},
                        dir / "stdout", dir / "stderr");
  ASSERT_GT(pid, 0);
  // wait (without a time assertion) until the run is well under way
  for (int i = 0; i < 6000 && !fs::exists(dir / "ck_000200.h5"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(dir / "ck_000200.h5"));
  ASSERT_EQ(::kill(pid, sig), 0);
  const int rc = testio::wait_child(pid);
  EXPECT_EQ(rc, 128 + sig) << testio::read_text(dir / "stderr");
  const auto err = testio::lines_of(testio::read_text(dir / "stderr"));
  ASSERT_EQ(err.size(), 1u);
  EXPECT_NE(err[0].find(sig == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM"), std::string::npos)
      << err[0];

  auto sim = io::open_checkpoint(dir / "ck.h5");
  EXPECT_GE(sim->step_count(), 200);
  const auto rows = testio::lines_of(testio::read_text(dir / "out/metrics.csv"));
  EXPECT_EQ(static_cast<std::int64_t>(rows.size()) - 1, sim->step_count());
  EXPECT_EQ(rows.back().substr(0, rows.back().find(',')), std::to_string(sim->step_count()));
  EXPECT_EQ(summary_hash(dir / "out"), [&] {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(sim->model().state_hash()));
    return std::string(buf);
  }());
  EXPECT_TRUE(fs::exists(dir / "rec.h5"));
  EXPECT_FALSE(testio::has_temp_files(dir.path()));
  // and the run goes on from there
  const auto more = run_cli({"run", "--resume", dir / "ck.h5", "--steps", "10", "--quiet"});
  EXPECT_EQ(more.rc, 0) << more.err;
}

INSTANTIATE_TEST_SUITE_P(Signals, CliSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return std::string(param.param == SIGINT ? "SIGINT" : "SIGTERM");
                         });

TEST(CliSignal, ASecondSigintEndsTheProcessAtOnce) {
  // README: SIGINT finishes the step and writes everything; a second signal
  // ends the process at once. The first is caught (exit status 130 after the
  // outputs); the second falls through to the default action, so the process
  // dies by the signal instead of exiting. Files already written stay whole.
  ScratchDir dir;
  const pid_t pid = testio::spawn_cli({"run", "--preset", "cube-48", "--steps", "100000000", "--quiet", "--out",
                                       dir / "out", "--checkpoint", dir / "ck.h5", "--checkpoint-every", "20"},
                                      dir / "stdout", dir / "stderr");
  ASSERT_GT(pid, 0);
  // the handlers are installed before the first step: wait for step 20's checkpoint
  for (int i = 0; i < 6000 && !fs::exists(dir / "ck_000020.h5"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(dir / "ck_000020.h5"));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  // keep signalling until the process is gone: two signals sent before the
  // first is delivered merge into one, but any sent after it ends the
  // process while it still finishes the step and writes the outputs
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 5000 && done == 0; ++i) {
    ::kill(pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    done = ::waitpid(pid, &status, WNOHANG);
  }
  if (done == 0) done = ::waitpid(pid, &status, 0);
  ASSERT_EQ(done, pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
      << "ended by exit(" << (WIFEXITED(status) ? WEXITSTATUS(status) : -1)
      << "), not by the second SIGINT: " << testio::read_text(dir / "stderr");
  auto sim = io::open_checkpoint(dir / "ck_000020.h5");  // what was written is intact
  EXPECT_EQ(sim->step_count(), 20);
  EXPECT_FALSE(fs::exists(dir / "out/summary.json")) << "the outputs of a normal end were not written";
}

// ---- recordings and the README's h5py example ----

std::string python_with_h5py() {
  for (const char* py : {"python3", "/usr/bin/python3"}) {
    const std::string cmd = std::string(py) + " -c 'import h5py, numpy' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return py;
  }
  return {};
}

TEST(CliRecording, H5pyExampleReadsWhatWasRecorded) {
  const std::string py = python_with_h5py();
  if (py.empty())
    GTEST_SKIP()
        << "python3 with h5py and numpy not found (Debian: apt-get install python3-h5py); skipping the h5py example";
  ScratchDir dir;
  for (const std::string& preset : testio::exactness_presets(preset_names())) {
    SCOPED_TRACE(preset);
    const std::string rec = dir / (preset + ".h5"), out = dir / preset;
    const std::string slice = preset == "01_02" ? "z:0" : "z:1";
    const auto r = run_cli({"run", "--preset", preset, "--steps", "700", "--quiet", "--out", out, "--record", rec,
                            "--record-every", "7", "--record-slice", slice, "--record-slice", "y:5"});
    ASSERT_EQ(r.rc, 0) << r.err;
    const ChildResult ex = [&] {
      const std::string o = dir / "py.out";
      const std::string cmd =
          py + " " + SPIKECUBE_SOURCE_DIR + "/docs/recording_example.py " + rec + " > " + o + " 2>&1";
      ChildResult c;
      c.rc = std::system(cmd.c_str());
      c.out = testio::read_text(o);
      return c;
    }();
    ASSERT_EQ(ex.rc, 0) << ex.out;
    EXPECT_NE(ex.out.find("hidden spikes, steps 1-700"), std::string::npos) << ex.out;
    EXPECT_NE(ex.out.find("potential y5: 100 samples"), std::string::npos) << ex.out;

    // spike counts per step in the recording agree with metrics.csv's firing rate
    const std::string check = dir / "check.py";
    testio::write_text(
        check,
        "import sys, h5py, numpy as np\n"
        "f = h5py.File(sys.argv[1], 'r')\n"
        "n = int(f.attrs['nx'] * f.attrs['ny'] * f.attrs['nz'])\n"
        "c = np.bincount(np.rint(f['spikes/hidden/timestamps'][:]).astype(int), minlength=701)[1:]\n"
        "m = np.genfromtxt(sys.argv[2], delimiter=',', names=True)\n"
        "assert len(m) == 700 and np.array_equal(c, np.rint(m['fire'] * n).astype(int)), 'spike counts differ'\n"
        "o = np.bincount(np.rint(f['spikes/output/timestamps'][:]).astype(int), minlength=701)[1:]\n"
        "assert np.array_equal(o, m['out_px'].astype(int)), 'output counts differ'\n"
        "assert f['potential/step'][0] == 7 and f['potential/step'].shape == (100,)\n"
        "print('ok')\n");
    const std::string cmd = py + " " + check + " " + rec + " " + out + "/metrics.csv > " + dir / "check.out" + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << testio::read_text(dir / "check.out");
  }
}

}  // namespace
}  // namespace spikecube
