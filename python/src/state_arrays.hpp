#pragma once
// The state of a Simulation as NumPy arrays (copies, so they stay valid
// while the simulation runs on). Lattices are shaped (z, y, x): (nz, ny, nx)
// for the cube and groups models, (1, n, n) for the layer model; frames are
// (n, n), indexed [y, x].

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "core/simulation.hpp"
#include "python/src/py_simulation.hpp"

namespace spikecube::python {
namespace py = pybind11;

py::array potential(const Simulation& sim);  // float32, membrane potential v
py::array threshold(const Simulation& sim);  // float32, effective threshold theta
py::array spikes(const Simulation& sim);     // bool, spiked at the last step
// float32. Lattice models: "xp", "xm", "yp", "ym", "zp", "zm", (nz, ny, nx)
// indexed by the link's target; groups also "intra", (groups, G, G) indexed
// [group, source, target]. Layer model: "in", (n, n, n, n) indexed
// [hidden y, hidden x, pixel y, pixel x]. Throws ConfigError for other names.
py::array weights(const Simulation& sim, const std::string& which);
py::tuple frames(const Simulation& sim);                         // (input, target, prediction), bool (n, n)
py::array layer_rates(const Simulation& sim);                    // float64 (nz,): fraction of each layer that spiked
py::dict metrics(const Simulation& sim, const MetricsLog& log);  // metrics.csv columns -> 1-D arrays

}  // namespace spikecube::python
