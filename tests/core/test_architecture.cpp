// docs/architecture.md describes each model's step as a numbered list of its
// phases. These tests keep that list, the code's phase_names() and the phase
// functions the step calls in agreement: rename, add, drop or reorder a phase
// in one place only and a test fails.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/cube_model.hpp"
#include "core/layer_model.hpp"

using namespace spikecube;

namespace {

std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(SPIKECUBE_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in.good()) << "cannot read " << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The phase names of the numbered list after the marker line
// "<!-- phases: NAME -->": the first `code` word of each item, up to the first
// line that is not a list item.
std::vector<std::string> doc_phases(const std::string& doc, const std::string& list) {
  const std::string marker = "<!-- phases: " + list + " -->";
  const auto at = doc.find(marker);
  EXPECT_NE(at, std::string::npos) << "docs/architecture.md has no marker " << marker;
  std::vector<std::string> names;
  if (at == std::string::npos) return names;
  std::istringstream lines(doc.substr(at + marker.size()));
  const std::regex item(R"(^\d+\. `([a-z_]+)`)");
  std::string line;
  std::getline(lines, line);  // the rest of the marker line
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, item)) break;
    names.push_back(m[1]);
  }
  return names;
}

std::vector<std::string> strings(std::span<const std::string_view> names) { return {names.begin(), names.end()}; }

// The body of `Class::function(` in source: from its opening brace to the
// matching closing one.
std::string body_of(const std::string& source, const std::string& qualified) {
  const auto at = source.find(qualified + "(");
  if (at == std::string::npos) return {};
  auto open = source.find('{', at);
  int depth = 0;
  for (auto i = open; i < source.size(); ++i) {
    depth += source[i] == '{' ? 1 : source[i] == '}' ? -1 : 0;
    if (depth == 0) return source.substr(open, i - open + 1);
  }
  return {};
}

// Positions of the calls "name(" in body, in the order of names; -1 where a
// call is missing.
std::vector<long> call_positions(const std::string& body, const std::vector<std::string>& names) {
  std::vector<long> pos;
  for (const auto& n : names) {
    const std::regex call("(^|[^a-z_:.>])" + n + R"(\()");
    std::smatch m;
    pos.push_back(std::regex_search(body, m, call) ? static_cast<long>(m.position(0)) : -1L);
  }
  return pos;
}

}  // namespace

TEST(Architecture, LatticeStepListMatchesThePhaseFunctions) {
  const auto doc = read_file("docs/architecture.md");
  EXPECT_EQ(doc_phases(doc, "lattice"), strings(CubeModel::phase_names()));
}

TEST(Architecture, LayerStepListMatchesThePhaseFunctions) {
  const auto doc = read_file("docs/architecture.md");
  EXPECT_EQ(doc_phases(doc, "layer"), strings(LayerModel::phase_names()));
}

// The names are the functions the step calls, in that order: step() calls
// drive_input, neural_step, readout, metrics; neural_step() calls
// group_currents, lateral_currents, inhibition, lattice_pass, winners,
// lateral_plasticity, group_plasticity, tally_spikes; the pass over
// a worker's rows calls deferred_stdp, gather, add_input, then integrate.
TEST(Architecture, LatticePhasesAreCalledInTheListedOrder) {
  const auto src = read_file("core/cube_model.cpp");
  const auto names = strings(CubeModel::phase_names());
  for (const auto& n : names)
    EXPECT_NE(src.find("void CubeModel::" + n + "("), std::string::npos) << "no function CubeModel::" << n;
  auto in_order = [](const std::vector<long>& pos) {
    for (std::size_t i = 0; i < pos.size(); ++i)
      if (pos[i] < 0 || (i > 0 && pos[i] <= pos[i - 1])) return false;
    return true;
  };
  EXPECT_TRUE(in_order(
      call_positions(body_of(src, "void CubeModel::step"), {"drive_input", "neural_step", "readout", "metrics"})));
  EXPECT_TRUE(in_order(call_positions(body_of(src, "void CubeModel::neural_step"),
                                      {"group_currents", "lateral_currents", "inhibition", "lattice_pass", "winners",
                                       "lateral_plasticity", "group_plasticity", "tally_spikes"})));
  EXPECT_TRUE(in_order(call_positions(body_of(src, "void CubeModel::pass_part"),
                                      {"deferred_stdp", "gather", "add_input", "integrate_ready"})));
  // and the list has the phases in that order
  const std::vector<std::string> expected = {
      "drive_input",      "group_currents", "lateral_currents", "inhibition", "deferred_stdp",
      "gather",           "add_input",      "integrate",        "winners",    "lateral_plasticity",
      "group_plasticity", "tally_spikes",   "readout",          "metrics"};
  EXPECT_EQ(names, expected);
}

TEST(Architecture, LayerPhasesAreCalledInTheListedOrder) {
  const auto src = read_file("core/layer_model.cpp");
  const auto names = strings(LayerModel::phase_names());
  const auto pos = call_positions(body_of(src, "void LayerModel::step"), names);
  for (std::size_t i = 0; i < pos.size(); ++i) {
    EXPECT_GE(pos[i], 0) << "step() does not call " << names[i];
    if (i > 0) {
      EXPECT_GT(pos[i], pos[i - 1]) << names[i] << " is called before " << names[i - 1];
    }
  }
}
