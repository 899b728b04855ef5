// Config loading, presets, overrides and every bad-input path of the schema.
#include <gtest/gtest.h>

#include <fstream>

#include "core/config.hpp"

using namespace spikecube;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, PresetsLoadAndMatchTheOriginalDefaults) {
  const Config c = load_preset("01_01");
  EXPECT_EQ(c.model, "layer");
  EXPECT_EQ(c.n, 48);
  EXPECT_EQ(c.radius, 1);
  EXPECT_DOUBLE_EQ(c.rho, 0.9);
  EXPECT_DOUBLE_EQ(c.eta, 0.01);
  EXPECT_DOUBLE_EQ(c.eta_out, 0.02);
  EXPECT_DOUBLE_EQ(c.r_target, 0.1);
  EXPECT_DOUBLE_EQ(c.bias, 0.05);
  EXPECT_DOUBLE_EQ(c.noise, 0.002);
  EXPECT_DOUBLE_EQ(c.w_in_max, 1.5);
  EXPECT_FALSE(c.masked);
  EXPECT_TRUE(c.input_off.empty());
  const Config d = load_preset("01_02");
  ASSERT_EQ(d.input_off.size(), 1u);
  EXPECT_EQ(d.input_off[0], (OffInterval{3001, 4000}));
}

TEST(Config, EveryPresetIsValid) {
  for (const auto& name : preset_names()) EXPECT_NO_THROW(load_preset(name)) << name;
}

TEST(Config, ResolvedTomlRoundTripsExactly) {
  for (const auto& name : preset_names()) {
    Config c = load_preset(name);
    c.a_plus = 0.1234567890123;
    c.input_off = {{5, 9}, {20, 20}};
    const Config back = parse_config(to_toml(c), "roundtrip");
    EXPECT_EQ(to_toml(back), to_toml(c)) << name;
    EXPECT_TRUE(back == c) << name << ": a field is missing from the ParamSpec table";
  }
}

TEST(Config, UnknownKeySuggestsTheNearest) {
  const std::string e = error_of([] { parse_config("[stdp]\na_plsu = 0.1\n", "f.toml"); });
  EXPECT_NE(e.find("stdp.a_plsu"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean stdp.a_plus"), std::string::npos) << e;
  const std::string e2 = error_of([] { parse_config("[neuron]\ntau_plus = 3\n", "f.toml"); });
  EXPECT_NE(e2.find("did you mean stdp.tau_plus"), std::string::npos) << e2;
}

TEST(Config, UnknownSectionIsRejected) {
  EXPECT_NE(error_of([] { parse_config("[nueron]\nrho = 0.5\n", "f.toml"); }).find("nueron.rho"), std::string::npos);
}

TEST(Config, WrongTypeNamesKeyAndExpectedRange) {
  const std::string e = error_of([] { parse_config("[model]\nn = \"big\"\n", "f.toml"); });
  EXPECT_NE(e.find("model.n"), std::string::npos) << e;
  EXPECT_NE(e.find("wrong type"), std::string::npos) << e;
  EXPECT_NE(e.find("[3, 1024]"), std::string::npos) << e;
  EXPECT_NE(error_of([] { parse_config("[layer]\nmasked = 1\n", "f.toml"); }).find("true or false"), std::string::npos);
}

TEST(Config, OutOfRangeValuesAreRejected) {
  struct Case {
    const char* toml;
    const char* key;
    const char* range;
  } cases[] = {
      {"[model]\nn = 2\n", "model.n", "[3, 1024]"},
      {"[stdp]\na_plus = -0.1\n", "stdp.a_plus", "[0, 10]"},
      {"[readout]\neta_out = -1\n", "readout.eta_out", "[0, 10]"},
      {"[run]\nsteps = -5\n", "run.steps", "[0, inf)"},
      {"[neuron]\nrho = 1.5\n", "neuron.rho", "[0, 1]"},
      {"[model]\ntype = \"torus\"\n", "model.type", "{layer,cube,groups}"},
      {"[layer]\nradius = 48\n", "layer.radius", "[0, 47]"},
      {"[model]\nn = 3.5\n", "model.n", "[3, 1024]"},
  };
  for (const auto& c : cases) {
    const std::string e = error_of([&] { parse_config(c.toml, "f.toml"); });
    EXPECT_NE(e.find(c.key), std::string::npos) << c.toml << " -> " << e;
    EXPECT_NE(e.find(c.range), std::string::npos) << c.toml << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
  }
}

TEST(Config, MalformedTomlGivesLineAndColumn) {
  const std::string e = error_of([] { parse_config("[model\nn = 4\n", "bad.toml"); });
  EXPECT_NE(e.find("bad.toml:1"), std::string::npos) << e;
  EXPECT_NE(e.find("malformed TOML"), std::string::npos) << e;
}

TEST(Config, MissingFileAndDirectoryAreClearErrors) {
  EXPECT_NE(error_of([] { load_config_file("/nonexistent/x.toml"); }).find("cannot open"), std::string::npos);
  EXPECT_NE(error_of([] { load_config_file("/tmp"); }).find("/tmp"), std::string::npos);
}

TEST(Config, OverridesParseTomlValuesAndBareWords) {
  Config c = load_preset("01_01");
  apply_override(c, "stdp.a_plus=0.01");
  EXPECT_DOUBLE_EQ(c.a_plus, 0.01);
  apply_override(c, "layer.masked=true");
  EXPECT_TRUE(c.masked);
  apply_override(c, "layer.input_rule=stdp");
  EXPECT_EQ(c.input_rule, "stdp");
  apply_override(c, "schedule.input_off=[[10, 20]]");
  EXPECT_EQ(c.input_off, (std::vector<OffInterval>{{10, 20}}));
  EXPECT_NE(error_of([&] { apply_override(c, "stdp.a_plus"); }).find("KEY=VALUE"), std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(c, "stdp.aplus=1"); }).find("did you mean stdp.a_plus"), std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(c, "model.n=x"); }).find("model.n"), std::string::npos);
}

TEST(Config, IntervalsParseAndRejectBadOnes) {
  EXPECT_EQ(parse_interval("3001:4000", "x"), (OffInterval{3001, 4000}));
  for (const char* bad : {"5:3", "0:4", "a:b", "12", "3:", ":4", "1:2:3"}) {
    EXPECT_THROW(parse_interval(bad, "--input-off"), ConfigError) << bad;
  }
  EXPECT_NE(error_of([] { parse_config("[schedule]\ninput_off = [[4, 2]]\n", "f"); }).find("schedule.input_off"),
            std::string::npos);
}

TEST(Config, LiveSetParamIsRangeChecked) {
  Config c;
  set_param(c, "stdp.a_minus", 0.2);
  EXPECT_DOUBLE_EQ(get_param(c, "stdp.a_minus"), 0.2);
  EXPECT_THROW(set_param(c, "stdp.a_minus", -1), ConfigError);
  EXPECT_THROW(set_param(c, "stdp.nope", 1), ConfigError);
  EXPECT_DOUBLE_EQ(c.a_minus, 0.2);
}

TEST(Config, UnknownPresetListsTheKnownOnes) {
  const std::string e = error_of([] { load_preset("01_03"); });
  EXPECT_NE(e.find("01_01"), std::string::npos) << e;
}
