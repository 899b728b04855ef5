#pragma once
// The config of a Python Simulation, resolved as spikecube-cli run resolves
// its options (same parser, same order, same error messages).

#include <pybind11/pybind11.h>

#include "core/config.hpp"

namespace spikecube::python {
namespace py = pybind11;

// A preset name or a config (file path, TOML text or dict; neither: preset
// 01_01), then the overrides in order ("section.key": value, or "section":
// {key: value}), then seed and threads (None = keep); validated. Throws
// ConfigError with the CLI's one-line messages.
Config resolve_config(const py::object& preset, const py::object& config, const py::object& seed,
                      const py::object& threads, const py::dict& overrides);

}  // namespace spikecube::python
