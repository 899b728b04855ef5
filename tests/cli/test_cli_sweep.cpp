// Black-box tests of `spikecube-cli sweep`: every run equals the same single
// `run`, the table summarises results.csv, a second call resumes, and Ctrl-C
// leaves a valid results.csv.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/cli/process.hpp"

namespace spikecube::test {
namespace {
namespace fs = std::filesystem;

using Row = std::map<std::string, std::string>;

// results.csv has no quoted fields for these runs, so a plain split suffices
std::vector<Row> read_rows(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line;
  std::vector<std::string> header;
  std::vector<Row> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> f;
    std::stringstream ss(s);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    if (!s.empty() && s.back() == ',') f.push_back("");
    return f;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  while (std::getline(in, line)) {
    const auto f = split(line);
    EXPECT_EQ(f.size(), header.size()) << "a torn row: " << line;
    Row r;
    for (std::size_t i = 0; i < std::min(f.size(), header.size()); ++i) r[header[i]] = f[i];
    rows.push_back(r);
  }
  return rows;
}

// a fresh folder with the suite's per-process name
std::string unique_dir(const std::string& name) {
  const std::string d = unique_temp("sweep_" + name);
  fs::remove_all(d);
  return d;
}

std::string summary_hash(const std::string& dir) {
  const std::string s = slurp(dir + "/summary.json");
  const auto at = s.find("\"state_hash\": \"");
  return at == std::string::npos ? "" : s.substr(at + 15, 16);
}

TEST(CliSweep, EveryRowEqualsTheSameSingleRunAndTheTableSummarisesThem) {
  const std::string out = unique_dir("grid");
  const auto r = cli("sweep --preset cube-4 --grid stdp.w_max=0.1,0.18 --seeds 0-1 --steps 300 --jobs 2 --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = read_rows(out + "/results.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("status"), "ok");
    EXPECT_EQ(row.at("steps"), "300");
    const std::string single = out + "_single";
    const auto s = cli("run --preset cube-4 --set stdp.w_max=" + row.at("stdp.w_max") + " --seed " + row.at("seed") +
                       " --steps 300 --quiet --out " + single);
    ASSERT_EQ(s.code, 0) << s.err;
    EXPECT_EQ(row.at("state_hash"), summary_hash(single))
        << "w_max " << row.at("stdp.w_max") << " seed " << row.at("seed");
    fs::remove_all(single);
  }
  // table.md: one line per combination holding the lower median, min and max
  // of its two seeds, recomputed here from results.csv
  const std::string md = slurp(out + "/table.md");
  for (const std::string w : {"0.1", "0.18"}) {
    std::vector<double> iou;
    for (const auto& row : rows) {
      if (row.at("stdp.w_max") == w) iou.push_back(std::stod(row.at("iou100_final")));
    }
    ASSERT_EQ(iou.size(), 2u);
    std::sort(iou.begin(), iou.end());
    std::ostringstream cell;
    cell << iou[0] << " [" << iou[0] << ", " << iou[1] << "]";
    EXPECT_NE(md.find("| " + w + " | 2 | "), std::string::npos) << md;
    EXPECT_NE(md.find(cell.str()), std::string::npos) << "expected " << cell.str() << " in\n" << md;
  }
  fs::remove_all(out);
}

TEST(CliSweep, SameCommandAgainSkipsFinishedRunsAndMoreSeedsAddOnlyThem) {
  const std::string out = unique_dir("resume");
  const std::string base = "sweep --preset cube-4 --grid model.depth=3,4 --steps 200 --jobs 2 --out " + out;
  ASSERT_EQ(cli(base + " --seeds 0").code, 0);
  const std::string before = slurp(out + "/results.csv");
  const auto again = cli(base + " --seeds 0");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("2 already in"), std::string::npos) << again.out;
  EXPECT_EQ(slurp(out + "/results.csv"), before) << "nothing re-ran";
  const auto more = cli(base + " --seeds 0-1");
  ASSERT_EQ(more.code, 0) << more.err;
  EXPECT_NE(more.out.find("2 already in"), std::string::npos) << more.out;
  const auto rows = read_rows(out + "/results.csv");
  EXPECT_EQ(rows.size(), 4u);
  EXPECT_EQ(slurp(out + "/results.csv").rfind(before, 0), 0u) << "earlier rows are kept as they were";
  // another fixed setting into the same folder would mix two sweeps
  const auto other = cli("sweep --preset cube-4 --grid model.depth=3,4 --steps 250 --out " + out);
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.err.find("other fixed settings"), std::string::npos) << other.err;
  fs::remove_all(out);
}

TEST(CliSweep, BadInputIsOneLineNamingTheOptionAndRunsNothing) {
  const std::string out = unique_dir("bad");
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"--grid model.depth=4,0 --out " + out, "model.depth"},
      {"--grid model.dpeth=4 --out " + out, "unknown key"},
      {"--seeds 3-1 --out " + out, "--seeds"},
      {"--jobs 0 --out " + out, "--jobs"},
      {"--grid stdp.w_max=0.1 --grid stdp.w_max=0.2 --out " + out, "given twice"},
      {"--grid model.depth=4", "--out"},
  };
  for (const auto& c : cases) {
    const auto r = cli("sweep --preset cube-4 --steps 10 " + c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(out + "/results.csv")) << c.args;
  }
  fs::remove_all(out);
}

TEST(CliSweep, InterruptLeavesAValidResultsFileThatTheNextCallCompletes) {
  const std::string out = unique_dir("sigint");
  // runs of about a second each, one at a time, so SIGINT lands mid-sweep
  const std::vector<std::string> args = {
      SPIKECUBE_CLI, "sweep", "--preset", "cube-4", "--grid", "stdp.w_max=0.1,0.12,0.14,0.16",
      "--seeds",     "0",     "--steps",  "6000",   "--jobs", "1",
      "--quiet",     "--out", out};
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (auto& s : copy) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && read_rows(out + "/results.csv").empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  const auto rows = read_rows(out + "/results.csv");
  if (rows.size() == 4u) GTEST_SKIP() << "the machine finished the sweep before SIGINT arrived";
  EXPECT_EQ(WEXITSTATUS(status), 130);
  ASSERT_GE(rows.size(), 1u);
  for (const auto& row : rows) EXPECT_EQ(row.at("status"), "ok");
  const auto done =
      cli("sweep --preset cube-4 --grid stdp.w_max=0.1,0.12,0.14,0.16 --seeds 0 --steps 6000 --jobs 2 --quiet --out " +
          out);
  ASSERT_EQ(done.code, 0) << done.err;
  const auto all = read_rows(out + "/results.csv");
  EXPECT_EQ(all.size(), 4u);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(all[i].at("state_hash"), rows[i].at("state_hash"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace spikecube::test
