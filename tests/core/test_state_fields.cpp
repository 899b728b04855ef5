// State registered once: every array a model lists in visit_state() is seen by
// state_hash(), written by save() and read back by load(). The test changes
// each registered field in turn (one element) and checks all three, so a
// field that one of them leaves out (as state_hash once left out the post
// trace and the refractory counters) fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/model.hpp"
#include "core/simulation.hpp"

using namespace spikecube;

namespace {

// Every optional array switched on: two traces, refractory counters,
// homeostatic thresholds, recurrent links and STDP input (layer), groups,
// wider lateral links (lattice).
Config every_array(const std::string& model) {
  Config c = load_preset(model == "layer" ? "01_01" : "cube-4");
  c.model = model;
  c.n = 8;
  c.depth = 4;
  c.group = 2;
  c.threshold = "homeostatic";
  c.refractory = 2;
  c.tau_plus = 15.0;
  c.tau_minus = 25.0;
  c.rec_radius = 1;
  c.input_rule = "stdp";
  c.readout_enabled = true;
  c.noise = 0.1;
  c.bias = 0.3;
  if (model != "layer") c.overrides.push_back({1, 2, {{"lattice.lateral_radius", 1.0}}});  // wider lateral links
  return c;
}

// A model of cfg with the state of a few steps of a real run.
std::unique_ptr<Model> stepped_model(const Config& cfg) {
  Simulation sim(cfg);
  for (int t = 0; t < 40; ++t) sim.step();
  StateArchive a;
  sim.save(a);
  auto m = make_model(cfg);
  m->load(a);
  return m;
}

struct FieldInfo {
  std::string name;
  std::size_t size;
};

std::vector<FieldInfo> registered(Model& m) {
  std::vector<FieldInfo> out;
  auto list = [&](std::string_view name, auto&& data, FieldRole) { out.push_back({std::string(name), data.size()}); };
  FieldVisitorOf<decltype(list)> v(list);
  m.visit_state(v);
  return out;
}

// Changes one element of field k: the first non-zero one (an existing link's
// weight, so the changed state still loads), or the last element of the
// variable-length history (a coordinate). Returns a function that puts the
// element back exactly.
std::function<void()> change_field(Model& m, std::size_t k) {
  std::size_t at = 0;
  std::function<void()> undo;
  auto change = [&](std::string_view, auto&& data, FieldRole) {
    if (at++ != k) return;
    using D = std::remove_cvref_t<decltype(data)>;
    using T = std::remove_cvref_t<decltype(data[0])>;
    std::size_t i = 0;
    if constexpr (std::is_same_v<D, std::vector<std::int64_t>>) {
      i = data.size() - 1;
    } else {
      while (i + 1 < data.size() && data[i] == T{0}) ++i;
    }
    T* element = &data[i];
    const T old = *element;
    if constexpr (std::is_same_v<T, std::uint8_t>) *element = static_cast<std::uint8_t>(old ^ 1u);
    else *element = static_cast<T>(old + T{1});
    undo = [element, old] { *element = old; };
  };
  FieldVisitorOf<decltype(change)> v(change);
  m.visit_state(v);
  return undo;
}

// The names of the archive arrays whose contents differ between a and b.
std::vector<std::string> changed_arrays(const StateArchive& a, const StateArchive& b) {
  std::vector<std::string> out;
  auto diff = [&](const auto& ma, const auto& mb) {
    for (const auto& [name, values] : ma) {
      auto it = mb.find(name);
      if (it == mb.end() || it->second != values) out.push_back(name);
    }
  };
  diff(a.f32, b.f32);
  diff(a.f64, b.f64);
  diff(a.i64, b.i64);
  diff(a.u8, b.u8);
  return out;
}

void check_every_field(const std::string& model, std::size_t expected_fields) {
  const Config cfg = every_array(model);
  auto m = stepped_model(cfg);
  const std::uint64_t h0 = m->state_hash();  // also applies a lattice's pending STDP
  StateArchive a0;
  m->save(a0);
  const auto fields = registered(*m);
  ASSERT_EQ(fields.size(), expected_fields);
  for (std::size_t k = 0; k < fields.size(); ++k) {
    SCOPED_TRACE(model + ": field " + fields[k].name);
    ASSERT_GT(fields[k].size, 0u) << "the config should switch every array on";
    const auto undo = change_field(*m, k);
    const std::uint64_t h1 = m->state_hash();
    StateArchive a1;
    m->save(a1);
    EXPECT_NE(h1, h0) << "state_hash() does not see the field";
    EXPECT_EQ(changed_arrays(a0, a1), std::vector<std::string>{fields[k].name})
        << "save() does not write exactly this field";
    // load() reads it back: a fresh model with the changed archive has the same hash
    auto fresh = make_model(cfg);
    fresh->load(a1);
    EXPECT_EQ(fresh->state_hash(), h1) << "load() does not read the field back";
    undo();
    EXPECT_EQ(m->state_hash(), h0);
  }
}

}  // namespace

// The counts pin the lists: a new array must be added to the list (and so to
// the checkpoint and the hash) and to this count.
TEST(StateFields, EveryLayerFieldIsHashedSavedAndLoaded) { check_every_field("layer", 12); }
TEST(StateFields, EveryCubeFieldIsHashedSavedAndLoaded) { check_every_field("cube", 18); }
TEST(StateFields, EveryGroupsFieldIsHashedSavedAndLoaded) { check_every_field("groups", 19); }

// A model's checkpoint arrays are exactly its registered fields.
TEST(StateFields, CheckpointArraysAreTheRegisteredFields) {
  for (const std::string model : {"layer", "cube", "groups"}) {
    SCOPED_TRACE(model);
    auto m = stepped_model(every_array(model));
    StateArchive a;
    m->save(a);
    std::vector<std::string> saved = changed_arrays(a, StateArchive{});  // every array of a
    std::vector<std::string> listed;
    for (const auto& f : registered(*m)) listed.push_back(f.name);
    std::sort(saved.begin(), saved.end());
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(saved, listed);
  }
}
