#include "core/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <variant>

#include "core/config_limits.hpp"

namespace spikecube {
namespace {

using Field = std::variant<int Config::*, std::int64_t Config::*, std::uint64_t Config::*, double Config::*,
                           bool Config::*, std::string Config::*, std::vector<OffInterval> Config::*>;

struct Entry {
  ParamSpec spec;
  Field field;
};

// clang-format off
const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
    {{"run.seed", ParamType::kUInt, 0, 1e18, {}, false, "random seed"}, &Config::seed},
    {{"run.steps", ParamType::kInt, 0, 1e12, {}, false, "number of steps to run"}, &Config::steps},
    {{"run.threads", ParamType::kInt, 0, 256, {}, false, "worker threads (0 = all cores); results do not depend on it"}, &Config::threads},

    {{"model.type", ParamType::kString, 0, 0, "layer|cube|groups", false, "which model"}, &Config::model},
    {{"model.n", ParamType::kInt, 3, 1024, {}, false, "grid side: the input frame is n x n"}, &Config::n},
    {{"model.depth", ParamType::kInt, 1, 1024, {}, false, "L, layers of the cube along z"}, &Config::depth},
    {{"model.group", ParamType::kInt, 1, 64, {}, false, "g, side of an all-to-all group (groups model)"}, &Config::group},

    {{"stimulus.kind", ParamType::kString, 0, 0, "dot|dots|bar|sequence", false, "what the input shows"}, &Config::stimulus},
    {{"stimulus.dots", ParamType::kInt, 1, 64, {}, false, "number of dots for kind = dots"}, &Config::dots},
    {{"stimulus.path", ParamType::kString, 0, 0, {}, false, "frames for kind = sequence: text file (one frame per block of n lines of 0/1) or folder of PNGs"}, &Config::sequence_path},
    {{"stimulus.patch_radius", ParamType::kInt, 0, 64, {}, false, "r_in: the dot drives a (2r+1)^2 patch of face z = 0"}, &Config::patch_radius},
    {{"stimulus.gain", ParamType::kFloat, 0, 100, {}, true, "g_in, input current of a lit pixel (cube, groups)"}, &Config::input_gain},

    {{"schedule.input_off", ParamType::kIntervals, 1, 1e12, {}, false, "step intervals [first, last] with the input off"}, &Config::input_off},
    {{"schedule.replay", ParamType::kIntervals, 1, 1e12, {}, false, "step intervals [first, last] replayed from memory: the input is the network's own last prediction, the readout does not learn"}, &Config::replay},

    {{"neuron.rho", ParamType::kFloat, 0, 1, {}, true, "membrane decay per step"}, &Config::rho},
    {{"neuron.bias", ParamType::kFloat, -10, 10, {}, true, "constant input current b"}, &Config::bias},
    {{"neuron.noise", ParamType::kFloat, 0, 10, {}, true, "sd of the per-step current noise"}, &Config::noise},
    {{"neuron.threshold", ParamType::kString, 0, 0, "homeostatic|adaptive|fixed", false, "threshold rule"}, &Config::threshold},
    {{"neuron.theta_init", ParamType::kFloat, 0.001, 100, {}, false, "initial (homeostatic) or fixed threshold"}, &Config::theta_init},
    {{"neuron.eta_theta", ParamType::kFloat, 0, 1, {}, true, "homeostatic threshold rate"}, &Config::eta_theta},
    {{"neuron.r_target", ParamType::kFloat, 0, 1, {}, true, "homeostatic target firing rate"}, &Config::r_target},
    {{"neuron.theta_min", ParamType::kFloat, 0, 100, {}, true, "lower bound (floor) of the homeostatic threshold"}, &Config::theta_min},
    {{"neuron.theta_max", ParamType::kFloat, 0, 100, {}, true, "upper bound of the homeostatic threshold"}, &Config::theta_max},
    {{"neuron.theta0", ParamType::kFloat, 0.001, 100, {}, true, "adaptive: resting threshold"}, &Config::theta0},
    {{"neuron.adapt_jump", ParamType::kFloat, 0, 100, {}, true, "adaptive: threshold jump at each spike"}, &Config::adapt_jump},
    {{"neuron.adapt_tau", ParamType::kFloat, 0.1, 1e6, {}, true, "adaptive: decay time constant of the jump (steps)"}, &Config::adapt_tau},
    {{"neuron.refractory", ParamType::kInt, 0, 255, {}, true, "steps a neuron is silent after a spike"}, &Config::refractory},
    {{"neuron.v_reset", ParamType::kFloat, -10, 10, {}, true, "membrane potential after a spike"}, &Config::v_reset},
    {{"neuron.bias_decay", ParamType::kFloat, 0, 1e6, {}, true, "L: the bias of layer z is bias * exp(-z / L) (0 = the same bias in every layer)"}, &Config::bias_decay},

    {{"layer.radius", ParamType::kInt, 0, 1024, {}, false, "receptive field radius r of the input weights"}, &Config::radius},
    {{"layer.masked", ParamType::kBool, 0, 1, {}, false, "keep input plasticity inside the receptive field"}, &Config::masked},
    {{"layer.input_rule", ParamType::kString, 0, 0, "hebb|stdp", false, "plasticity rule of the input weights"}, &Config::input_rule},
    {{"layer.eta", ParamType::kFloat, 0, 10, {}, true, "Hebbian rate of the input weights"}, &Config::eta},
    {{"layer.w_in_lo", ParamType::kFloat, 0, 100, {}, false, "initial input weight, lower bound"}, &Config::w_in_lo},
    {{"layer.w_in_hi", ParamType::kFloat, 0, 100, {}, false, "initial input weight, upper bound"}, &Config::w_in_hi},
    {{"layer.w_in_max", ParamType::kFloat, 0, 100, {}, true, "input weights are clipped to [0, w_in_max]"}, &Config::w_in_max},
    {{"layer.rec_radius", ParamType::kInt, 0, 16, {}, false, "radius of local recurrent links (0 = none)"}, &Config::rec_radius},
    {{"layer.w_rec_init", ParamType::kFloat, 0, 100, {}, false, "initial recurrent weight"}, &Config::w_rec_init},
    {{"layer.w_rec_max", ParamType::kFloat, 0, 100, {}, true, "recurrent weights are clipped to [0, w_rec_max]"}, &Config::w_rec_max},

    {{"lattice.gain_xp", ParamType::kFloat, 0, 100, {}, true, "gain of links carrying spikes towards +x"}, &Config::gain_xp},
    {{"lattice.gain_xm", ParamType::kFloat, 0, 100, {}, true, "gain of links towards -x"}, &Config::gain_xm},
    {{"lattice.gain_yp", ParamType::kFloat, 0, 100, {}, true, "gain of links towards +y"}, &Config::gain_yp},
    {{"lattice.gain_ym", ParamType::kFloat, 0, 100, {}, true, "gain of links towards -y"}, &Config::gain_ym},
    {{"lattice.gain_zp", ParamType::kFloat, 0, 100, {}, true, "gain of links towards +z (forward, input to output)"}, &Config::gain_zp},
    {{"lattice.gain_zm", ParamType::kFloat, 0, 100, {}, true, "gain of links towards -z (backward)"}, &Config::gain_zm},
    {{"lattice.lr_xp", ParamType::kFloat, 0, 100, {}, true, "STDP rate factor of +x links"}, &Config::lr_xp},
    {{"lattice.lr_xm", ParamType::kFloat, 0, 100, {}, true, "STDP rate factor of -x links"}, &Config::lr_xm},
    {{"lattice.lr_yp", ParamType::kFloat, 0, 100, {}, true, "STDP rate factor of +y links"}, &Config::lr_yp},
    {{"lattice.lr_ym", ParamType::kFloat, 0, 100, {}, true, "STDP rate factor of -y links"}, &Config::lr_ym},
    {{"lattice.lr_zp", ParamType::kFloat, 0, 100, {}, true, "STDP rate factor of +z links"}, &Config::lr_zp},
    {{"lattice.lr_zm", ParamType::kFloat, 0, 100, {}, true, "STDP rate factor of -z links"}, &Config::lr_zm},
    {{"lattice.w_init_lo", ParamType::kFloat, 0, 100, {}, false, "initial link weight, lower bound"}, &Config::w_init_lo},
    {{"lattice.w_init_hi", ParamType::kFloat, 0, 100, {}, false, "initial link weight, upper bound"}, &Config::w_init_hi},
    {{"lattice.substeps", ParamType::kInt, 1, 100, {}, false, "neural steps per input frame"}, &Config::substeps},
    {{"lattice.group_gain", ParamType::kFloat, 0, 100, {}, true, "gain of intra-group links (groups model)"}, &Config::group_gain},
    {{"lattice.lateral_radius", ParamType::kInt, 0, 16, {}, false, "r: plastic links from every neuron of the same layer within Chebyshev distance r but the 4 lattice neighbours (0 = none; usually per layer with [[override]])"}, &Config::lateral_radius},
    {{"lattice.lateral_gain", ParamType::kFloat, 0, 100, {}, true, "gain of the wider lateral links"}, &Config::lateral_gain},
    {{"lattice.density_xp", ParamType::kFloat, 0, 1, {}, false, "fraction of the +x links that exist, chosen once from the seed", true}, &Config::density_xp},
    {{"lattice.density_xm", ParamType::kFloat, 0, 1, {}, false, "fraction of the -x links that exist", true}, &Config::density_xm},
    {{"lattice.density_yp", ParamType::kFloat, 0, 1, {}, false, "fraction of the +y links that exist", true}, &Config::density_yp},
    {{"lattice.density_ym", ParamType::kFloat, 0, 1, {}, false, "fraction of the -y links that exist", true}, &Config::density_ym},
    {{"lattice.density_zp", ParamType::kFloat, 0, 1, {}, false, "fraction of the +z links that exist", true}, &Config::density_zp},
    {{"lattice.density_zm", ParamType::kFloat, 0, 1, {}, false, "fraction of the -z links that exist", true}, &Config::density_zm},

    {{"stdp.a_plus", ParamType::kFloat, 0, 10, {}, true, "potentiation amplitude A+"}, &Config::a_plus},
    {{"stdp.a_minus", ParamType::kFloat, 0, 10, {}, true, "depression amplitude A-"}, &Config::a_minus},
    {{"stdp.tau_plus", ParamType::kFloat, 0.1, 1e4, {}, true, "pre-synaptic trace time constant (steps)"}, &Config::tau_plus},
    {{"stdp.tau_minus", ParamType::kFloat, 0.1, 1e4, {}, true, "post-synaptic trace time constant (steps)"}, &Config::tau_minus},
    {{"stdp.w_max", ParamType::kFloat, 0, 100, {}, true, "weights are clipped to [0, w_max]"}, &Config::w_max},
    {{"stdp.nearest", ParamType::kBool, 0, 1, {}, true, "nearest-spike traces (reset to 1) instead of all-to-all (add 1)"}, &Config::nearest},
    {{"stdp.multiplicative", ParamType::kBool, 0, 1, {}, true, "weight-dependent updates: A+ (w_max - w), A- w"}, &Config::multiplicative},
    {{"stdp.decay", ParamType::kFloat, 0, 1, {}, true, "slow weight decay per step (fraction)"}, &Config::decay},
    {{"stdp.plastic", ParamType::kBool, 0, 1, {}, true, "lattice links learn"}, &Config::plastic},
    {{"stdp.normalize", ParamType::kBool, 0, 1, {}, false, "after each step's STDP, scale each neuron's lattice in-links so their sum stays at its initial value"}, &Config::normalize},

    {{"inhibition.kind", ParamType::kString, 0, 0, "none|layer|group", false, "unit of the inhibition: none, each layer, or each model.group sub-cube (cube, groups)"}, &Config::inhibition},
    {{"inhibition.gain", ParamType::kFloat, 0, 100, {}, true, "inhibitory current: gain times the fraction of the unit that spiked in the last step"}, &Config::inhibition_gain},
    {{"inhibition.k", ParamType::kInt, 0, 1e9, {}, true, "k-winners-take-all: at most k spikes per unit and step (0 = off)"}, &Config::inhibition_k},

    {{"readout.eta_out", ParamType::kFloat, 0, 10, {}, true, "delta-rule learning rate of the readout"}, &Config::eta_out},
    {{"readout.tau_out", ParamType::kFloat, -100, 100, {}, true, "an output pixel is on when its drive exceeds tau_out"}, &Config::tau_out},
    {{"readout.init_sd", ParamType::kFloat, 0, 100, {}, false, "sd of the initial readout weights"}, &Config::readout_init_sd},
    {{"readout.layers", ParamType::kInt, 1, 1024, {}, false, "cube: read out from the last k layers"}, &Config::readout_layers},
    {{"readout.radius", ParamType::kInt, -1, 1024, {}, false, "readout receptive field radius (-1 = dense)"}, &Config::readout_radius},
    {{"readout.enabled", ParamType::kBool, 0, 1, {}, false, "cube: false = no readout, the output stays empty (benchmarks of big lattices)"}, &Config::readout_enabled},
  };
  return table;
}
// clang-format on

const Entry* find_entry(std::string_view key) {
  for (const auto& e : entries()) {
    if (e.spec.key == key) return &e;
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string nearest_key(std::string_view key) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& e : entries()) {
    // compare both the full key and the name after the section, so that
    // "neuron.tau_plus" suggests "stdp.tau_plus"
    std::size_t d = edit_distance(key, e.spec.key);
    const auto dot = e.spec.key.find('.');
    const auto kdot = key.find('.');
    if (dot != std::string_view::npos && kdot != std::string_view::npos) {
      d = std::min(d, edit_distance(key.substr(kdot + 1), e.spec.key.substr(dot + 1)) + 1);
    }
    if (d < best_d) {
      best_d = d;
      best = std::string(e.spec.key);
    }
  }
  return best;
}

std::string format_number(double v) {
  std::ostringstream os;
  os.precision(std::numeric_limits<double>::max_digits10);
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string range_text(const ParamSpec& s) {
  std::ostringstream os;
  switch (s.type) {
    case ParamType::kInt:
    case ParamType::kUInt:
      os << "an integer in [" << static_cast<long long>(s.min) << ", ";
      if (s.max >= 1e12) os << "inf)";
      else os << static_cast<long long>(s.max) << "]";
      return os.str();
    case ParamType::kFloat:
      os << "a number in " << (s.min_open ? "(" : "[") << s.min << ", " << s.max << "]";
      return os.str();
    case ParamType::kBool: return "true or false";
    case ParamType::kString:
      if (s.choices.empty()) return "a string";
      {
        std::string c(s.choices);
        std::replace(c.begin(), c.end(), '|', ',');
        return "one of {" + c + "}";
      }
    case ParamType::kIntervals: return "a list of [first, last] step pairs with 1 <= first <= last";
  }
  return {};
}

[[noreturn]] void fail(std::string_view where, const ParamSpec& s, std::string_view what) {
  std::ostringstream os;
  os << where << s.key << ": " << what << "; expected " << range_text(s);
  throw ConfigError(os.str());
}

void check_range(std::string_view where, const ParamSpec& s, double v) {
  if (!std::isfinite(v) || v < s.min || v > s.max || (s.min_open && v <= s.min)) {
    std::ostringstream os;
    os.precision(10);
    os << v << " is out of range";
    fail(where, s, os.str());
  }
}

void set_number(Config& cfg, const Entry& e, double v, std::string_view where) {
  const ParamSpec& s = e.spec;
  if (s.type == ParamType::kBool) {
    if (v != 0.0 && v != 1.0) fail(where, s, "not a boolean");
    cfg.*std::get<bool Config::*>(e.field) = v != 0.0;
    return;
  }
  check_range(where, s, v);
  if (s.type == ParamType::kInt || s.type == ParamType::kUInt) {
    if (std::floor(v) != v) fail(where, s, "not an integer");
    if (auto p = std::get_if<int Config::*>(&e.field)) cfg.** p = static_cast<int>(v);
    else if (auto q = std::get_if<std::int64_t Config::*>(&e.field)) cfg.** q = static_cast<std::int64_t>(v);
    else if (auto u = std::get_if<std::uint64_t Config::*>(&e.field)) cfg.** u = static_cast<std::uint64_t>(v);
    return;
  }
  if (s.type == ParamType::kFloat) {
    cfg.*std::get<double Config::*>(e.field) = v;
    return;
  }
  fail(where, s, "a number cannot be assigned");
}

void set_from_node(Config& cfg, const Entry& e, const toml::node& node, std::string_view where) {
  const ParamSpec& s = e.spec;
  switch (s.type) {
    case ParamType::kInt:
    case ParamType::kUInt: {
      if (auto i = node.as_integer()) {
        const auto v = i->get();
        if (s.type == ParamType::kUInt) {
          if (v < 0) fail(where, s, std::to_string(v) + " is out of range");
          cfg.*std::get<std::uint64_t Config::*>(e.field) = static_cast<std::uint64_t>(v);
          return;
        }
        set_number(cfg, e, static_cast<double>(v), where);
        return;
      }
      fail(where, s,
           std::string("wrong type ") +
               std::string(toml::impl::node_type_friendly_names[static_cast<int>(node.type())]));
    }
    case ParamType::kFloat:
      if (auto f = node.as_floating_point()) return set_number(cfg, e, f->get(), where);
      if (auto i = node.as_integer()) return set_number(cfg, e, static_cast<double>(i->get()), where);
      fail(where, s,
           std::string("wrong type ") +
               std::string(toml::impl::node_type_friendly_names[static_cast<int>(node.type())]));
    case ParamType::kBool:
      if (auto b = node.as_boolean()) {
        cfg.*std::get<bool Config::*>(e.field) = b->get();
        return;
      }
      fail(where, s,
           std::string("wrong type ") +
               std::string(toml::impl::node_type_friendly_names[static_cast<int>(node.type())]));
    case ParamType::kString:
      if (auto str = node.as_string()) {
        const std::string v = str->get();
        if (!s.choices.empty()) {
          bool ok = false;
          std::string_view rest = s.choices;
          while (!rest.empty()) {
            const auto bar = rest.find('|');
            if (rest.substr(0, bar) == v) ok = true;
            if (bar == std::string_view::npos) break;
            rest.remove_prefix(bar + 1);
          }
          if (!ok) fail(where, s, "\"" + v + "\" is not allowed");
        }
        cfg.*std::get<std::string Config::*>(e.field) = v;
        return;
      }
      fail(where, s,
           std::string("wrong type ") +
               std::string(toml::impl::node_type_friendly_names[static_cast<int>(node.type())]));
    case ParamType::kIntervals: {
      const auto* arr = node.as_array();
      if (!arr) fail(where, s, "not a list");
      std::vector<OffInterval> out;
      for (const auto& item : *arr) {
        if (auto text = item.as_string()) {
          out.push_back(parse_interval(text->get(), s.key));
          continue;
        }
        const auto* pair = item.as_array();
        if (!pair || pair->size() != 2 || !(*pair)[0].as_integer() || !(*pair)[1].as_integer()) {
          fail(where, s, "an entry is not a [first, last] pair of integers");
        }
        OffInterval iv{(*pair)[0].as_integer()->get(), (*pair)[1].as_integer()->get()};
        if (iv.first < 1 || iv.last < iv.first)
          fail(where, s, "bad interval [" + std::to_string(iv.first) + ", " + std::to_string(iv.last) + "]");
        out.push_back(iv);
      }
      cfg.*std::get<std::vector<OffInterval> Config::*>(e.field) = out;
      return;
    }
  }
}

// One [[override]] table: z = [first, last] and the overridden keys, each
// range-checked like the global key (the layer range is checked by
// validate(), once model.depth is known).
LayerOverride parse_override(const toml::table& t, const std::string& where) {
  LayerOverride o;
  const auto* z = t.get("z");
  const auto* pair = z ? z->as_array() : nullptr;
  if (!pair || pair->size() != 2 || !(*pair)[0].as_integer() || !(*pair)[1].as_integer())
    throw ConfigError(where +
                      "z: missing or not a [first, last] pair of layers; expected z = [first, last] with 0 <= first <= "
                      "last < model.depth");
  o.first = static_cast<int>(std::clamp<std::int64_t>((*pair)[0].as_integer()->get(), -1, 1 << 20));
  o.last = static_cast<int>(std::clamp<std::int64_t>((*pair)[1].as_integer()->get(), -1, 1 << 20));
  for (const auto& [section_key, section_node] : t) {
    const std::string section(section_key.str());
    if (section == "z") continue;
    const auto* section_table = section_node.as_table();
    if (!section_table)
      throw ConfigError(where + section + ": not a known key of [[override]]; expected section.key, e.g. neuron.bias");
    for (const auto& [key, node] : *section_table) {
      const std::string full = section + "." + std::string(key.str());
      const Entry* e = find_entry(full);
      if (!e) throw ConfigError(where + full + ": unknown key; did you mean " + nearest_key(full) + "?");
      if (!override_allowed(full))
        throw ConfigError(where + full +
                          ": cannot be set per layer; expected a numeric neuron.* key, lattice.gain_*, lr_*, "
                          "density_*, lateral_*, or stdp.a_plus, a_minus, w_max, plastic");
      Config scratch;
      set_from_node(scratch, *e, node, where);
      o.values.emplace_back(full, get_param(scratch, full));
    }
  }
  return o;
}

void apply_table(Config& cfg, const toml::table& root, std::string_view source) {
  const std::string where = std::string(source) + ": ";
  if (const auto* node = root.get("override")) {
    const auto* list = node->as_array();
    if (!list || !list->is_array_of_tables()) throw ConfigError(where + "override: expected [[override]] tables");
    for (std::size_t k = 0; k < list->size(); ++k)
      cfg.overrides.push_back(
          parse_override(*(*list)[k].as_table(), where + "override[" + std::to_string(cfg.overrides.size()) + "]: "));
  }
  // model.type first: nothing else depends on it for parsing, but errors read
  // better when the model is known
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    if (section == "override") continue;
    const auto* section_table = section_node.as_table();
    if (!section_table) {
      const std::string guess = nearest_key(section);
      throw ConfigError(where + section + ": not a known section or key; did you mean " + guess + "?");
    }
    for (const auto& [key, node] : *section_table) {
      const std::string full = section + "." + std::string(key.str());
      const Entry* e = find_entry(full);
      if (!e) {
        throw ConfigError(where + full + ": unknown key; did you mean " + nearest_key(full) + "?");
      }
      set_from_node(cfg, *e, node, where);
    }
  }
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

const std::vector<ParamSpec>& param_specs() {
  static const std::vector<ParamSpec> specs = [] {
    std::vector<ParamSpec> v;
    for (const auto& e : entries()) v.push_back(e.spec);
    return v;
  }();
  return specs;
}

const ParamSpec* find_param(std::string_view key) {
  const Entry* e = find_entry(key);
  return e ? &e->spec : nullptr;
}

OffInterval parse_interval(std::string_view text, std::string_view what) {
  const auto colon = text.find(':');
  auto bad = [&] {
    return ConfigError(std::string(what) + ": \"" + std::string(text) +
                       "\" is not an interval; expected FIRST:LAST with integers 1 <= FIRST <= LAST");
  };
  if (colon == std::string_view::npos) throw bad();
  OffInterval iv;
  const auto a = text.substr(0, colon), b = text.substr(colon + 1);
  auto r1 = std::from_chars(a.data(), a.data() + a.size(), iv.first);
  auto r2 = std::from_chars(b.data(), b.data() + b.size(), iv.last);
  if (r1.ec != std::errc{} || r1.ptr != a.data() + a.size() || r2.ec != std::errc{} || r2.ptr != b.data() + b.size() ||
      iv.first < 1 || iv.last < iv.first) {
    throw bad();
  }
  return iv;
}

Config parse_config(std::string_view toml_text, std::string_view source, Config base) {
  check_config_limits(toml_text, source);  // the parser never sees hostile nesting
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& err) {
    std::ostringstream os;
    os << source << ":" << err.source().begin.line << ":" << err.source().begin.column
       << ": malformed TOML: " << err.description();
    throw ConfigError(os.str());
  }
  apply_table(base, root, source);
  validate(base);
  return base;
}

Config load_config_file(const std::string& path, Config base) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": is a directory, expected a TOML config file");
  // a huge file is refused before it is read into memory
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxConfigBytes) {
    throw ConfigError(path + ": " + std::to_string(size) + " bytes; a config may hold at most " +
                      std::to_string(kMaxConfigBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::string text;
  try {
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw ConfigError(path + ": cannot read config file (is it a directory?)");
    text = ss.str();
    return parse_config(text, path, std::move(base));
  } catch (const std::bad_alloc&) {
    throw ConfigError(path + ": out of memory while reading the config");
  }
}

void apply_override(Config& cfg, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ConfigError("--set " + std::string(assignment) + ": expected KEY=VALUE, e.g. stdp.a_plus=0.01");
  }
  std::string key(assignment.substr(0, eq));
  std::string value(assignment.substr(eq + 1));
  const Entry* e = find_entry(key);
  if (!e) throw ConfigError("--set " + key + ": unknown key; did you mean " + nearest_key(key) + "?");
  // bare words become strings so that --set model.type=cube works unquoted
  std::string doc = "v = " + value;
  check_config_limits(doc, "--set " + key);
  toml::table t;
  try {
    t = toml::parse(doc);
  } catch (const toml::parse_error&) {
    try {
      t = toml::parse("v = " + quote(value));
    } catch (const toml::parse_error&) {
      throw ConfigError("--set " + key + ": cannot parse value \"" + value + "\"; expected " + range_text(e->spec));
    }
  }
  if (e->spec.type == ParamType::kString && !t["v"].as_string()) t.insert_or_assign("v", value);
  set_from_node(cfg, *e, *t.get("v"), "--set ");
}

void set_param(Config& cfg, std::string_view key, double value) {
  const Entry* e = find_entry(key);
  if (!e) throw ConfigError(std::string(key) + ": unknown key; did you mean " + nearest_key(key) + "?");
  set_number(cfg, *e, value, "");
}

double get_param(const Config& cfg, std::string_view key) {
  const Entry* e = find_entry(key);
  if (!e) throw ConfigError(std::string(key) + ": unknown key; did you mean " + nearest_key(key) + "?");
  return std::visit(
      [&](auto ptr) -> double {
        using T = std::remove_cvref_t<decltype(cfg.*ptr)>;
        if constexpr (std::is_arithmetic_v<T>) {
          return static_cast<double>(cfg.*ptr);
        } else {
          throw ConfigError(std::string(key) + ": not a numeric parameter");
        }
      },
      e->field);
}

bool override_allowed(std::string_view key) {
  auto starts = [&](std::string_view p) { return key.substr(0, p.size()) == p; };
  if (key == "neuron.threshold") return false;  // one threshold rule per model: the kernels pick it once
  return starts("neuron.") || starts("lattice.gain_") || starts("lattice.lr_") || starts("lattice.density_") ||
         starts("lattice.lateral_") || key == "stdp.a_plus" || key == "stdp.a_minus" || key == "stdp.w_max" ||
         key == "stdp.plastic";
}

Config layer_config(const Config& cfg, int z) {
  Config c = cfg;
  c.overrides.clear();
  for (const LayerOverride& o : cfg.overrides) {
    if (z < o.first || z > o.last) continue;
    for (const auto& [key, v] : o.values) set_param(c, key, v);
  }
  return c;
}

void validate(const Config& c) {
  auto err = [](const std::string& s) { throw ConfigError(s); };
  const int n = c.n;
  if (c.model == "layer") {
    if (c.radius >= n)
      err("layer.radius: " + std::to_string(c.radius) + " is larger than the grid; expected an integer in [0, " +
          std::to_string(n - 1) + "]");
    if (c.rec_radius >= n)
      err("layer.rec_radius: " + std::to_string(c.rec_radius) +
          " is larger than the grid; expected an integer in [0, " + std::to_string(n - 1) + "]");
  }
  for (const auto& r : c.replay) {
    for (const auto& o : c.input_off) {
      if (r.first <= o.last && o.first <= r.last) {
        err("schedule.replay: [" + std::to_string(r.first) + ", " + std::to_string(r.last) +
            "] overlaps schedule.input_off [" + std::to_string(o.first) + ", " + std::to_string(o.last) +
            "]; expected disjoint intervals (a step is either off or replayed)");
      }
    }
  }
  if (c.w_in_lo > c.w_in_hi) err("layer.w_in_lo: larger than layer.w_in_hi; expected w_in_lo <= w_in_hi");
  if (c.w_init_lo > c.w_init_hi)
    err("lattice.w_init_lo: larger than lattice.w_init_hi; expected w_init_lo <= w_init_hi");
  if (c.theta_min > c.theta_max) err("neuron.theta_min: larger than neuron.theta_max; expected theta_min <= theta_max");
  if (c.patch_radius >= n)
    err("stimulus.patch_radius: " + std::to_string(c.patch_radius) +
        " is larger than the grid; expected an integer in [0, " + std::to_string(n - 1) + "]");
  if (c.model != "layer" && c.readout_layers > c.depth)
    err("readout.layers: " + std::to_string(c.readout_layers) + " exceeds model.depth; expected an integer in [1, " +
        std::to_string(c.depth) + "]");
  if (c.readout_radius >= n)
    err("readout.radius: " + std::to_string(c.readout_radius) +
        " is larger than the grid; expected -1 (dense) or an integer in [0, " + std::to_string(n - 1) + "]");
  if (c.model == "groups") {
    if (n % c.group != 0 || c.depth % c.group != 0) {
      err("model.group: " + std::to_string(c.group) + " does not divide model.n = " + std::to_string(n) +
          " and model.depth = " + std::to_string(c.depth) + "; expected a common divisor of both");
    }
  }
  if (c.stimulus == "sequence" && c.sequence_path.empty())
    err("stimulus.path: empty; expected a text file or a folder of PNG frames when stimulus.kind = sequence");
  if (c.stimulus == "dots" && c.dots > n)
    err("stimulus.dots: " + std::to_string(c.dots) + " exceeds the grid; expected an integer in [1, " +
        std::to_string(n) + "]");
  if (c.model != "layer") {
    int radius = c.lateral_radius;
    for (const LayerOverride& o : c.overrides)
      for (const auto& [key, v] : o.values)
        if (key == "lattice.lateral_radius") radius = std::max(radius, static_cast<int>(v));
    if (radius >= n)
      err("lattice.lateral_radius: " + std::to_string(radius) +
          " is larger than the grid; expected an integer in [0, " + std::to_string(std::min(n - 1, 16)) + "]");
  }
  if (c.inhibition == "group" && (c.group < 1 || n % c.group != 0 || c.depth % c.group != 0))
    err("inhibition.kind: group needs model.group = " + std::to_string(c.group) + " to divide model.n = " +
        std::to_string(n) + " and model.depth = " + std::to_string(c.depth) + "; expected a common divisor of both");
  if (!c.overrides.empty() && c.model == "layer")
    err("override: [[override]] sets layers of the lattice models (cube, groups); the layer model has a single layer: "
        "set the keys globally");
  for (std::size_t k = 0; k < c.overrides.size(); ++k) {
    const LayerOverride& o = c.overrides[k];
    const std::string at = "override[" + std::to_string(k) + "]: ";
    if (o.first < 0 || o.last < o.first || o.last >= c.depth)
      err(at + "z: [" + std::to_string(o.first) + ", " + std::to_string(o.last) +
          "] is out of range; expected [first, last] with 0 <= first <= last <= " + std::to_string(c.depth - 1) +
          " (model.depth - 1)");
    for (const auto& [key, v] : o.values) {
      if (!override_allowed(key)) err(at + key + ": cannot be set per layer");
      Config scratch;
      try {
        set_param(scratch, key, v);
      } catch (const ConfigError& e) {
        err(at + e.what());
      }
    }
  }
  // the size of a model is limited by the memory available, not by a fixed
  // count: check_memory (core/memory_estimate.hpp) refuses it before allocating
}

std::string to_toml(const Config& cfg) {
  std::ostringstream os;
  std::string section;
  for (const auto& e : entries()) {
    const auto dot = e.spec.key.find('.');
    const std::string sec(e.spec.key.substr(0, dot));
    const std::string name(e.spec.key.substr(dot + 1));
    if (sec != section) {
      if (!section.empty()) os << "\n";
      os << "[" << sec << "]\n";
      section = sec;
    }
    os << name << " = ";
    std::visit(
        [&](auto ptr) {
          using T = std::remove_cvref_t<decltype(cfg.*ptr)>;
          const T& v = cfg.*ptr;
          if constexpr (std::is_same_v<T, bool>) {
            os << (v ? "true" : "false");
          } else if constexpr (std::is_same_v<T, double>) {
            os << format_number(v);
          } else if constexpr (std::is_integral_v<T>) {
            os << v;
          } else if constexpr (std::is_same_v<T, std::string>) {
            os << quote(v);
          } else {
            os << "[";
            for (std::size_t i = 0; i < v.size(); ++i)
              os << (i ? ", " : "") << "[" << v[i].first << ", " << v[i].last << "]";
            os << "]";
          }
        },
        e.field);
    os << "  # " << e.spec.help << "\n";
  }
  for (const LayerOverride& o : cfg.overrides) {
    os << "\n[[override]]\nz = [" << o.first << ", " << o.last << "]\n";
    for (const auto& [key, v] : o.values) {
      const ParamSpec* s = find_param(key);
      os << key << " = ";
      if (s->type == ParamType::kBool) os << (v != 0.0 ? "true" : "false");
      else if (s->type == ParamType::kFloat) os << format_number(v);
      else os << static_cast<long long>(v);
      os << "\n";
    }
  }
  return os.str();
}

}  // namespace spikecube
