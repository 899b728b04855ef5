#include "python/src/py_config.hpp"

#include <string>

namespace spikecube::python {
namespace {

py::module_ helper() { return py::module_::import("spikecube._config"); }

void apply_all(Config& cfg, const py::object& assignments) {
  for (const auto& a : assignments) apply_override(cfg, a.cast<std::string>());
}

// An integer option in [lo, hi] (hi < 0: no upper bound), named as the CLI
// names it in its messages.
long long int_option(const py::object& value, const std::string& name, long long lo, long long hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + (hi < 0 ? std::string("inf)") : std::to_string(hi) + "]");
  if (py::isinstance<py::bool_>(value) || !py::hasattr(value, "__index__")) {
    throw ConfigError(name + ": " + py::str(py::handle(value)).cast<std::string>() +
                      " is not an integer; expected an integer in " + range);
  }
  const py::int_ v(value);
  if (v < py::int_(lo) || (hi >= 0 && v > py::int_(hi)) || v > py::int_(0x7fffffffffffffffLL)) {
    throw ConfigError(name + ": " + py::str(py::handle(v)).cast<std::string>() +
                      " is out of range; expected an integer in " + range);
  }
  return v.cast<long long>();
}

}  // namespace

Config resolve_config(const py::object& preset, const py::object& config, const py::object& seed,
                      const py::object& threads, const py::dict& overrides) {
  if (!preset.is_none() && !config.is_none()) throw ConfigError("preset and config: give one of them, not both");
  Config cfg;
  if (!config.is_none()) {
    const py::tuple source = helper().attr("config_source")(config);
    const auto kind = source[0].cast<std::string>();
    if (kind == "path") cfg = load_config_file(source[1].cast<std::string>());
    else if (kind == "text") cfg = parse_config(source[1].cast<std::string>(), "config");
    else apply_all(cfg, source[1]);
  } else {
    cfg = load_preset(preset.is_none() ? std::string("01_01") : preset.cast<std::string>());
  }
  apply_all(cfg, helper().attr("assignments")(overrides));
  if (!seed.is_none()) cfg.seed = static_cast<std::uint64_t>(int_option(seed, "seed", 0, -1));
  if (!threads.is_none()) cfg.threads = static_cast<int>(int_option(threads, "threads", 0, 256));
  validate(cfg);
  return cfg;
}

}  // namespace spikecube::python
