#pragma once
// The experiment configuration: every parameter of every model, grouped in
// TOML sections. One table of ParamSpec entries (param_specs() in config.cpp)
// names each key, its type, default, allowed range and whether it may change
// while a run is live; loading, --set overrides, validation, the
// resolved-config writer and the GUI's live controls all go through that one
// table. Words of the config (neuron.threshold, layer.input_rule) stay
// strings here, as in the TOML file; each model turns them into enums once,
// when it derives its parameters (NeuronParams, LayerParams).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spikecube {

// Raised for any bad configuration input. The message is one line that names
// the key and the allowed range; front ends print it and exit with code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Inclusive step interval during which the input is switched off.
struct OffInterval {
  std::int64_t first = 0;
  std::int64_t last = 0;
  bool operator==(const OffInterval&) const = default;
};

// One [[override]] table: parameters of layers first..last (inclusive) that
// differ from the global ones. For lattice links the layer is the link's
// target layer. values hold numbers (booleans as 0 or 1) in the table's
// order; later tables win where ranges overlap (layer_config()).
struct LayerOverride {
  int first = 0;
  int last = 0;
  std::vector<std::pair<std::string, double>> values;
  bool operator==(const LayerOverride&) const = default;
};

struct Config {
  // [run]
  std::uint64_t seed = 0;
  std::int64_t steps = 6000;
  int threads = 1;  // 0 = all cores

  // [model]
  std::string model = "layer";  // layer | cube | groups
  int n = 48;                   // grid side (input frame is n x n)
  int depth = 48;               // L, number of layers of the cube
  int group = 4;                // g, side of a group sub-cube (groups model)

  // [stimulus]
  std::string stimulus = "dot";  // dot | dots | bar | sequence
  int dots = 1;                  // number of dots for stimulus = "dots"
  std::string sequence_path;     // folder of PNG frames or text file of frames
  int patch_radius = 0;          // r_in: the dot drives a (2r+1)^2 patch of face z = 0
  double input_gain = 2.0;       // g_in (cube, groups)

  // [schedule]
  std::vector<OffInterval> input_off;
  std::vector<OffInterval> replay;  // replay from memory: the network's input is its own prediction

  // [neuron]
  double rho = 0.9;                       // membrane decay per step
  double bias = 0.05;                     // b
  double noise = 0.002;                   // sigma of the per-step current noise
  std::string threshold = "homeostatic";  // homeostatic | adaptive | fixed
  double theta_init = 1.0;                // initial (homeostatic) or fixed threshold
  double eta_theta = 0.01;                // homeostatic rate
  double r_target = 0.1;                  // homeostatic target rate
  double theta_min = 0.3;
  double theta_max = 3.0;
  double theta0 = 0.6;      // adaptive: resting threshold
  double adapt_jump = 0.3;  // adaptive: d_theta added at each spike
  double adapt_tau = 20.0;  // adaptive: decay time constant (steps)
  int refractory = 0;       // steps a neuron stays silent after a spike
  double v_reset = 0.0;
  double bias_decay = 0.0;  // L: bias of layer z is bias * exp(-z / L); 0 = off

  // [layer]
  int radius = 1;                   // receptive field radius r of W_in
  bool masked = false;              // keep input plasticity inside the field
  std::string input_rule = "hebb";  // hebb | stdp
  double eta = 0.01;                // Hebbian rate
  double w_in_lo = 0.5;             // initial W_in ~ U(lo, hi) inside the field
  double w_in_hi = 1.0;
  double w_in_max = 1.5;
  int rec_radius = 0;        // r_rec, 0 = no recurrent links
  double w_rec_init = 0.05;  // initial recurrent weight (uniform)
  double w_rec_max = 0.5;

  // [lattice] (cube and groups); direction of travel of the spike
  double gain_xp = 1.0, gain_xm = 1.0, gain_yp = 1.0, gain_ym = 1.0, gain_zp = 1.0, gain_zm = 1.0;
  double lr_xp = 1.0, lr_xm = 1.0, lr_yp = 1.0, lr_ym = 1.0, lr_zp = 1.0, lr_zm = 1.0;
  double w_init_lo = 0.05;
  double w_init_hi = 0.15;
  int substeps = 1;         // neural steps per input frame
  double group_gain = 1.0;  // gain of intra-group links (groups model)
  // fraction of each direction's links that exist (chosen once from the seed)
  int lateral_radius = 0;     // wider lateral links within this Chebyshev distance, 0 = none
  double lateral_gain = 1.0;  // gain of the wider lateral links
  double density_xp = 1.0, density_xm = 1.0, density_yp = 1.0, density_ym = 1.0, density_zp = 1.0, density_zm = 1.0;

  // [stdp]
  double a_plus = 0.005;
  double a_minus = 0.00525;
  double tau_plus = 20.0;
  double tau_minus = 20.0;
  double w_max = 0.18;
  bool nearest = false;         // nearest-spike instead of all-to-all traces
  bool multiplicative = false;  // weight-dependent updates
  double decay = 0.0;           // slow weight decay per step (fraction)
  bool plastic = true;          // STDP on the lattice links
  bool normalize = false;       // synaptic scaling of each neuron's lattice in-links

  // [inhibition] (cube, groups)
  std::string inhibition = "none";  // none | layer | group
  double inhibition_gain = 0.0;     // current per unit of last step's firing fraction
  int inhibition_k = 0;             // k-winners-take-all per layer or group, 0 = off

  // [readout]
  double eta_out = 0.02;
  double tau_out = 1.0;
  double readout_init_sd = 0.1;
  int readout_layers = 1;       // cube: read from the last k layers
  int readout_radius = -1;      // -1 = dense, else local receptive field radius
  bool readout_enabled = true;  // cube: false = no readout (benchmarks of big cubes)

  // [[override]] tables, in file order
  std::vector<LayerOverride> overrides;

  bool operator==(const Config&) const = default;
};

enum class ParamType { kInt, kUInt, kFloat, kBool, kString, kIntervals };

struct ParamSpec {
  std::string_view key;  // "section.name"
  ParamType type;
  double min = 0;  // numeric range, inclusive
  double max = 0;
  std::string_view choices;  // for strings: "a|b|c" (empty = free text)
  bool live = false;         // may change between steps of a running model
  std::string_view help;
  bool min_open = false;  // the range excludes min: (min, max]
};

// The table of every parameter, in the order the resolved config is written.
const std::vector<ParamSpec>& param_specs();
const ParamSpec* find_param(std::string_view key);

// Parses TOML text (source names the file in error messages) on top of base.
Config parse_config(std::string_view toml_text, std::string_view source, Config base = {});
Config load_config_file(const std::string& path, Config base = {});
// Applies "section.key=value" (value in TOML syntax, strings may be unquoted).
void apply_override(Config& cfg, std::string_view assignment);
// Sets one parameter from a number (GUI sliders, live changes); range-checked.
void set_param(Config& cfg, std::string_view key, double value);
double get_param(const Config& cfg, std::string_view key);
// Whether key may appear in an [[override]] table.
bool override_allowed(std::string_view key);
// The config as layer z sees it: cfg with the [[override]] tables that cover
// z applied in order (the overrides themselves cleared).
Config layer_config(const Config& cfg, int z);
// Cross-field checks (radius within the grid, group divides n, ...).
void validate(const Config& cfg);
// The fully resolved config as TOML, loadable with parse_config.
std::string to_toml(const Config& cfg);

// Presets embedded from resources/presets.
std::vector<std::string> preset_names();
Config load_preset(std::string_view name);
std::string_view preset_text(std::string_view name);

// Parses "A:B" into an inclusive interval; throws ConfigError naming `what`.
OffInterval parse_interval(std::string_view text, std::string_view what);

}  // namespace spikecube
