// `spikecube-cli bench --json FILE`: the record is JSON (read back by Python's
// json module, an independent parser), names this machine's CPU as
// /proc/cpuinfo does, carries the figures the bench printed, appends one line
// per run, and a bad path is a one-line error with exit code 2.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "process.hpp"

using namespace spikecube::test;
namespace fs = std::filesystem;

namespace {

// A small, fast cube bench (the full scenario's code path: readout, STDP).
const std::string kSmallBench = "bench --model cube --n 8 --L 4 --steps 20";

// The "model name" of the first processor in /proc/cpuinfo ("" if none).
std::string cpu_model_from_proc() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    std::string v = line.substr(line.find(':') + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t") + 1);
    return v;
  }
  return {};
}

// Fields of line `index` of a JSON Lines file, parsed by Python's json module
// (exit code 1 if any line is not JSON): one field per output line.
ProcessResult python_fields(const std::string& file, int index, const std::string& fields) {
  const std::string script =
      "import json, sys\n"
      "lines = [json.loads(l) for l in open(sys.argv[1])]\n"
      "r = lines[int(sys.argv[2])]\n"
      "for f in [" +
      fields + "]: print(f)\n";
  const std::string py = unique_temp("record_check.py");
  std::ofstream(py) << script;
  auto r = run_process("python3 " + py + " " + file + " " + std::to_string(index));
  std::remove(py.c_str());
  return r;
}

// The integer after "key=" on the last line of the bench's output.
long long printed(const std::string& out, const std::string& key) {
  const auto at = out.rfind(key + "=");
  return at == std::string::npos ? -1 : std::stoll(out.substr(at + key.size() + 1));
}

}  // namespace

TEST(CliBenchRecord, RecordIsJsonNamingThisCpuAndThePrintedFigures) {
  const std::string file = unique_temp("record.jsonl");
  fs::remove(file);
  const auto run = cli(kSmallBench + " --json " + file);
  ASSERT_EQ(run.code, 0) << run.err;
  const auto p = python_fields(file, 0,
                               "r['machine']['cpu_model'], r['machine']['logical_cores'], "
                               "int(r['figures']['steps_per_s']), r['figures']['steps'], r['options']['model'], "
                               "r['build']['git_revision'] != '', r['date'][-1], r['command_line'][1]");
  ASSERT_EQ(p.code, 0) << p.err;
  const auto f = lines_of(p.out);
  ASSERT_EQ(f.size(), 8U) << p.out;
  EXPECT_EQ(f[0], cpu_model_from_proc());
  std::ifstream cpuinfo("/proc/cpuinfo");
  int processors = 0;
  for (std::string line; std::getline(cpuinfo, line);) processors += line.rfind("processor", 0) == 0 ? 1 : 0;
  EXPECT_EQ(f[1], std::to_string(processors));
  // the record holds the figure the bench printed (which prints it truncated)
  EXPECT_EQ(f[2], std::to_string(printed(run.out, "steps_per_s")));
  EXPECT_EQ(f[3], "20");
  EXPECT_EQ(f[4], "cube");
  EXPECT_EQ(f[5], "True");
  EXPECT_EQ(f[6], "Z");  // UTC
  EXPECT_EQ(f[7], "bench");
  fs::remove(file);
}

TEST(CliBenchRecord, EachRunAppendsOneLineAndKeepsTheOthers) {
  const std::string file = unique_temp("append.jsonl");
  fs::remove(file);
  ASSERT_EQ(cli(kSmallBench + " --json " + file).code, 0);
  const std::string first = slurp(file);
  ASSERT_EQ(lines_of(first).size(), 1U);
  ASSERT_EQ(cli("bench --model cube --scaling --sides 8 --repeat 1 --threads 1 --json " + file).code, 0);
  const std::string both = slurp(file);
  ASSERT_EQ(lines_of(both).size(), 2U);
  EXPECT_EQ(both.substr(0, first.size()), first);  // the first record is untouched
  EXPECT_EQ(both.back(), '\n');
  // the second is a scaling record with its one row
  const auto p = python_fields(file, 1, "len(r['figures']['rows']), r['figures']['rows'][0]['side']");
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(p.out, "1\n8\n");
  fs::remove(file);
}

TEST(CliBenchRecord, UnwritablePathIsAOneLineErrorWithExitCode2) {
  const std::string dir = unique_temp("record_dir");
  fs::create_directories(dir);
  for (const std::string& bad : {dir, dir + "/no/such/folder/r.jsonl"}) {
    const auto r = cli(kSmallBench + " --json " + bad);
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
    EXPECT_NE(r.err.find("--json " + bad), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << "the bench must not run: " << r.out;
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(CliBenchRecord, ReadOnlyFileIsAOneLineErrorAndStaysAsItWas) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write any file: the permission check needs another user";
  const std::string file = unique_temp("readonly.jsonl");
  std::ofstream(file) << "{\"kept\": true}\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const auto r = cli(kSmallBench + " --json " + file);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(file), "{\"kept\": true}\n");
  fs::permissions(file, fs::perms::owner_all);
  fs::remove(file);
}
