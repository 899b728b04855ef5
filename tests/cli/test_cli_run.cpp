// spikecube-cli run/presets/validate/bench as a user calls them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "process.hpp"

using namespace spikecube::test;
namespace fs = std::filesystem;

namespace {
std::string fresh_dir(const std::string& name) {
  const std::string d = unique_temp(name);
  fs::remove_all(d);
  return d;
}

std::string readme() { return slurp(std::string(SPIKECUBE_SOURCE_DIR) + "/README.md"); }

// The text of README section `title` (from its heading to the next one of the same level).
std::string readme_section(const std::string& title) {
  const std::string r = readme();
  const auto at = r.find("\n## " + title + "\n");
  if (at == std::string::npos) return {};
  const auto end = r.find("\n## ", at + 4);
  return r.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// Every --flag on the lines of `text` that start with `prefix` (and their continuation lines).
std::set<std::string> synopsis_flags(const std::string& text, const std::string& prefix) {
  std::set<std::string> flags;
  bool in = false;
  for (const auto& line : lines_of(text)) {
    // a synopsis entry is its first line plus the indented lines under it
    if (line.rfind("spikecube-cli ", 0) == 0) {
      in = line.rfind(prefix, 0) == 0;
    } else if (line.empty() || line[0] != ' ') {
      in = false;
    }
    if (!in) continue;
    for (std::size_t p = line.find("--"); p != std::string::npos; p = line.find("--", p + 2)) {
      std::size_t e = p + 2;
      while (e < line.size() && (std::isalnum(static_cast<unsigned char>(line[e])) || line[e] == '-')) ++e;
      flags.insert(line.substr(p, e - p));
    }
  }
  return flags;
}

// Column values of a CSV with a header row, by column name.
struct Csv {
  std::vector<std::string> names;
  std::vector<std::vector<double>> rows;
  std::size_t col(const std::string& n) const {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin());
  }
};
Csv read_csv(const std::string& path) {
  Csv c;
  const auto lines = lines_of(slurp(path));
  if (lines.empty()) return c;
  std::istringstream h(lines[0]);
  for (std::string f; std::getline(h, f, ',');) c.names.push_back(f);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream r(lines[i]);
    std::vector<double> row;
    for (std::string f; std::getline(r, f, ',');) row.push_back(std::stod(f));
    c.rows.push_back(row);
  }
  return c;
}

double value_after(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  return at == std::string::npos ? -12345.0 : std::stod(text.substr(at + key.size()));
}

}  // namespace

TEST(CliRun, WritesMetricsConfigAndSummary) {
  const std::string dir = fresh_dir("basic");
  const auto r = cli("run --preset 01_02 --steps 300 --seed 1 --set stdp.a_plus=0.01 --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string metrics = slurp(dir + "/metrics.csv");
  EXPECT_EQ(metrics.rfind("step,iou100,fire,out_px", 0), 0u);
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 301);
  const std::string config = slurp(dir + "/config.toml");
  EXPECT_NE(config.find("a_plus = 0.01"), std::string::npos);
  EXPECT_NE(config.find("seed = 1"), std::string::npos);
  EXPECT_NE(slurp(dir + "/summary.json").find("\"first_iou80\""), std::string::npos);
  const std::string last = r.last_line();
  for (const char* key : {"steps=300", "steps_per_s=", "iou100_final=", "fire_final=", "first_iou80="}) {
    EXPECT_NE(last.find(key), std::string::npos) << last;
  }
  EXPECT_EQ(last.find("resume_iou80="), std::string::npos) << "input never came back";
}

TEST(CliRun, ResolvedConfigReproducesTheRun) {
  const std::string a = fresh_dir("repro_a"), b = fresh_dir("repro_b");
  ASSERT_EQ(cli("run --preset 01_01 --steps 400 --seed 3 --set neuron.noise=0.01 --quiet --out " + a).code, 0);
  ASSERT_EQ(cli("run --config " + a + "/config.toml --quiet --out " + b).code, 0);
  EXPECT_EQ(slurp(a + "/metrics.csv"), slurp(b + "/metrics.csv"));
}

TEST(CliRun, SameSeedIdenticalDifferentSeedDifferent) {
  const std::string a = fresh_dir("seed_a"), b = fresh_dir("seed_b"), c = fresh_dir("seed_c");
  ASSERT_EQ(cli("run --preset 01_01 --steps 800 --seed 5 --quiet --out " + a).code, 0);
  ASSERT_EQ(cli("run --preset 01_01 --steps 800 --seed 5 --threads 2 --quiet --out " + b).code, 0);
  ASSERT_EQ(cli("run --preset 01_01 --steps 800 --seed 6 --quiet --out " + c).code, 0);
  EXPECT_EQ(slurp(a + "/metrics.csv"), slurp(b + "/metrics.csv"));
  EXPECT_NE(slurp(a + "/metrics.csv"), slurp(c + "/metrics.csv"));
}

TEST(CliRun, InputOffFlagSwitchesTheInputAndReportsResume) {
  const std::string dir = fresh_dir("off");
  const auto r = cli("run --preset 01_01 --steps 400 --input-off 101:200 --quiet --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.last_line().find("resume_iou80="), std::string::npos);
  const Csv m = read_csv(dir + "/metrics.csv");
  ASSERT_EQ(m.rows.size(), 400u);
  const std::size_t on = m.col("input_on");
  ASSERT_EQ(on, 6u) << "input_on is the 7th column";
  EXPECT_EQ(m.rows[99][on], 1.0);  // step 100
  EXPECT_EQ(m.rows[100][on], 0.0);
  EXPECT_EQ(m.rows[199][on], 0.0);
  EXPECT_EQ(m.rows[200][on], 1.0);  // step 201
}

TEST(CliRun, SummaryAgreesWithMetricsCsvRecomputedByHand) {
  // 2,000 steps of 01_01 seed 0 reach iou100 0.5 and 0.8 (README: 1703, 1871);
  // the summary's learning times and final values are recomputed here from
  // the per-step columns of metrics.csv, by the README's definitions
  const std::string dir = fresh_dir("summary");
  const auto r = cli("run --preset 01_01 --steps 2000 --seed 0 --quiet --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv m = read_csv(dir + "/metrics.csv");
  ASSERT_EQ(m.rows.size(), 2000u);
  const std::size_t iou = m.col("iou"), iou100 = m.col("iou100"), fire = m.col("fire");
  ASSERT_LT(fire, m.names.size());
  double sum = 0;
  long first50 = -1, first80 = -1;
  double window = 0;
  for (std::size_t t = 0; t < m.rows.size(); ++t) {
    sum += m.rows[t][iou];
    if (t >= 100) sum -= m.rows[t - 100][iou];
    window = sum / static_cast<double>(std::min<std::size_t>(t + 1, 100));
    ASSERT_NEAR(window, m.rows[t][iou100], 2e-5) << "step " << t + 1;
    // only windows lying wholly after the start count: step >= 100
    if (t + 1 >= 100 && first50 < 0 && window >= 0.5) first50 = static_cast<long>(t + 1);
    if (t + 1 >= 100 && first80 < 0 && window >= 0.8) first80 = static_cast<long>(t + 1);
  }
  ASSERT_GT(first80, 0) << "the run should reach iou100 0.8";
  double fire100 = 0;
  for (std::size_t t = 1900; t < 2000; ++t) fire100 += m.rows[t][fire] / 100.0;

  const std::string json = slurp(dir + "/summary.json");
  const std::string line = r.last_line();
  for (const auto& [text, sep] : {std::pair{json, std::string("\": ")}, std::pair{line, std::string("=")}}) {
    SCOPED_TRACE(text);
    const auto q = [&, &text = text, &sep = sep](const std::string& k) {
      return value_after(text, (sep == "=" ? k : "\"" + k) + sep);
    };
    EXPECT_EQ(q("first_iou50"), first50);
    EXPECT_EQ(q("first_iou80"), first80);
    EXPECT_NEAR(q("iou100_final"), window, 1e-5);
    EXPECT_NEAR(q("fire_final"), fire100, 1e-5);
    EXPECT_EQ(q("steps"), 2000);
  }
  EXPECT_EQ(value_after(json, "\"resume_iou80\": "), -1) << "the input never went off";
}

TEST(CliRun, PresetsListsTheReadmeTableWithDescriptions) {
  const auto p = cli("presets");
  ASSERT_EQ(p.code, 0);
  std::set<std::string> listed;
  for (const auto& line : lines_of(p.out)) {
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    listed.insert(line.substr(0, tab));
    EXPECT_GT(line.size() - tab, 20u) << "a one-line description: " << line;
  }
  std::set<std::string> documented;
  for (const auto& line : lines_of(readme_section("Presets")))
    if (line.rfind("| `", 0) == 0) documented.insert(line.substr(3, line.find('`', 3) - 3));
  EXPECT_EQ(documented.size(), 9u);
  EXPECT_EQ(listed, documented) << "README's preset table and `presets` disagree";
}

TEST(CliRun, HelpListsEveryCommandAndFlagOfTheReadme) {
  const auto h = cli("--help");
  ASSERT_EQ(h.code, 0);
  for (const char* sub : {"run", "presets", "validate", "params", "bench"})
    EXPECT_NE(h.out.find(sub), std::string::npos) << sub;
  const std::string synopsis = readme_section("Command line");
  const auto run_flags = synopsis_flags(synopsis, "spikecube-cli run");
  const auto bench_flags = synopsis_flags(synopsis, "spikecube-cli bench");
  EXPECT_GE(run_flags.size(), 15u);
  EXPECT_GE(bench_flags.size(), 9u);
  const auto run_help = cli("run --help"), bench_help = cli("bench --help");
  ASSERT_EQ(run_help.code, 0);
  ASSERT_EQ(bench_help.code, 0);
  for (const auto& f : run_flags) EXPECT_NE(run_help.out.find(f + " "), std::string::npos) << "run " << f;
  for (const auto& f : bench_flags) EXPECT_NE(bench_help.out.find(f + " "), std::string::npos) << "bench " << f;
  const auto v = cli("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("spikecube-cli"), std::string::npos);
}

TEST(CliRun, ValidateAcceptsEveryPresetAndRejectsABadFile) {
  for (const char* preset : {"01_01", "01_02", "cube-4", "cube-48", "groups-4", "groups-thin"}) {
    const std::string file = std::string(SPIKECUBE_SOURCE_DIR) + "/resources/presets/" + preset + ".toml";
    const auto r = cli("validate " + file);
    EXPECT_EQ(r.code, 0) << preset << ": " << r.err;
    EXPECT_EQ(r.out, file + ": ok (model " +
                         (preset[0] == '0'   ? "layer"
                          : preset[0] == 'c' ? "cube"
                                             : "groups") +
                         ")\n");
  }
  const std::string dir = fresh_dir("validate");
  ASSERT_EQ(cli("run --steps 1 --quiet --out " + dir).code, 0);
  EXPECT_EQ(cli("validate " + dir + "/config.toml").code, 0) << "a resolved config validates";
  const std::string bad = unique_temp("validate_bad.toml");
  std::ofstream(bad) << "[neuron]\nrho = 1.5\n";
  const auto b = cli("validate " + bad);
  EXPECT_EQ(b.code, 2);
  EXPECT_EQ(b.err, "spikecube-cli: " + bad + ": neuron.rho: 1.5 is out of range; expected a number in [0, 1]\n");
  const auto missing = cli("validate " + bad + ".nope");
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(lines_of(missing.err).size(), 1u) << missing.err;
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;
  std::remove(bad.c_str());
}

TEST(CliRun, ParamsPrintsTheReadmeConfigTable) {
  // README: "Generated by spikecube-cli params": every row must be there verbatim
  const auto p = cli("params");
  ASSERT_EQ(p.code, 0);
  const auto rows = lines_of(p.out);
  EXPECT_GE(rows.size(), 60u);
  const std::string section = readme_section("Config reference");
  for (const auto& row : rows)
    EXPECT_NE(section.find("\n" + row + "\n"), std::string::npos) << "not in README: " << row;
  std::size_t documented = 0;
  for (const auto& line : lines_of(section)) documented += line.rfind("| `", 0) == 0 ? 1 : 0;
  EXPECT_EQ(documented + 2, rows.size()) << "README documents keys that params does not print";
}

TEST(CliRun, LayersCsvHoldsEachLayersRateAndTheyAverageToFire) {
  const std::string dir = fresh_dir("layers");
  ASSERT_EQ(cli("run --preset cube-4 --set model.n=12 --steps 60 --quiet --out " + dir).code, 0);
  const Csv layers = read_csv(dir + "/layers.csv"), m = read_csv(dir + "/metrics.csv");
  EXPECT_EQ(layers.names, (std::vector<std::string>{"step", "z0", "z1", "z2", "z3"}));
  ASSERT_EQ(layers.rows.size(), 60u);
  double total = 0;
  for (std::size_t t = 0; t < 60; ++t) {
    EXPECT_EQ(layers.rows[t][0], static_cast<double>(t + 1));
    double mean = 0;
    for (std::size_t z = 1; z <= 4; ++z) {
      EXPECT_GE(layers.rows[t][z], 0.0);
      EXPECT_LE(layers.rows[t][z], 1.0);
      mean += layers.rows[t][z] / 4.0;
    }
    EXPECT_NEAR(mean, m.rows[t][m.col("fire")], 1e-5) << "step " << t + 1;  // equal layers: fire is their mean
    total += mean;
  }
  EXPECT_GT(total, 0.0) << "something fired";
  const std::string single = fresh_dir("layers_single");
  ASSERT_EQ(cli("run --preset 01_01 --steps 5 --quiet --out " + single).code, 0);
  EXPECT_FALSE(fs::exists(single + "/layers.csv")) << "single-layer models write no layers.csv";
}

TEST(CliRun, RepeatedInputOffSwitchesEveryInterval) {
  const std::string dir = fresh_dir("off_twice");
  const auto r =
      cli("run --preset 01_01 --steps 60 --input-off 11:20 --input-off 31:31 --input-off 40:45 --quiet --out " + dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const Csv m = read_csv(dir + "/metrics.csv");
  ASSERT_EQ(m.rows.size(), 60u);
  for (int t = 1; t <= 60; ++t) {
    const bool off = (t >= 11 && t <= 20) || t == 31 || (t >= 40 && t <= 45);
    EXPECT_EQ(m.rows[static_cast<std::size_t>(t - 1)][m.col("input_on")], off ? 0.0 : 1.0) << "step " << t;
  }
  EXPECT_NE(slurp(dir + "/config.toml").find("input_off = [[11, 20], [31, 31], [40, 45]]"), std::string::npos);
}

TEST(CliRun, ScalingBenchOnSmallSides) {
  const auto r = cli("bench --model cube --scaling --sides 8,12 --repeat 1 --threads 1");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].find("side"), lines[0].find_first_not_of(' ')) << lines[0];
  for (const auto& [i, side, neurons] : {std::tuple{1, 8, 512}, std::tuple{2, 12, 1728}}) {
    std::istringstream row(lines[static_cast<std::size_t>(i)]);
    int s = 0, n = 0, threads = 0, steps = 0;
    double sps = 0, ns = 0, cpu = 0, frac = 0, bytes = 0;
    row >> s >> n >> threads >> steps >> sps >> ns >> cpu >> frac >> bytes;
    ASSERT_FALSE(row.fail()) << lines[static_cast<std::size_t>(i)];
    EXPECT_EQ(s, side);
    EXPECT_EQ(n, neurons);
    EXPECT_EQ(threads, 1);
    EXPECT_GT(sps, 0);
    EXPECT_GT(frac, 0.0) << "the lattice fires";
    EXPECT_GT(bytes, 24.0);  // six link weights at least
    EXPECT_LE(bytes, 40.0);
  }
}

TEST(CliRun, LayerBenchPrintsItsFigures) {
  const auto r = cli("bench --model layer --steps 200");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.last_line().rfind("steps_per_s=", 0), 0u) << r.last_line();
  EXPECT_NE(r.last_line().find("spikes_per_step="), std::string::npos);
}
