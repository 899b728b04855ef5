// spikecube._core: the engine's Python bindings. The package spikecube
// (python/spikecube/__init__.py) re-exports everything here; help(spikecube)
// shows these docstrings.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "core/atomic_file.hpp"
#include "core/run_report.hpp"
#include "core/simulation.hpp"
#include "core/state_archive.hpp"
#include "core/version.hpp"
#include "io/checkpoint.hpp"
#include "io/recording.hpp"
#include "python/src/module_errors.hpp"
#include "python/src/py_config.hpp"
#include "python/src/py_simulation.hpp"
#include "python/src/state_arrays.hpp"

namespace py = pybind11;
using namespace pybind11::literals;
using spikecube::python::PySimulation;

namespace {

py::object toml_loads(const std::string& text) { return py::module_::import("tomllib").attr("loads")(text); }

py::dict presets() {
  py::dict out;
  for (const auto& name : spikecube::preset_names()) {
    const auto text = spikecube::preset_text(name);
    // the first comment line of a preset is its one-line description
    std::string first(text.substr(0, text.find('\n')));
    if (first.rfind("# ", 0) == 0) first = first.substr(2);
    out[py::str(name)] = first;
  }
  return out;
}

const char* type_name(spikecube::ParamType t) {
  switch (t) {
    case spikecube::ParamType::kInt: return "int";
    case spikecube::ParamType::kUInt: return "uint";
    case spikecube::ParamType::kFloat: return "float";
    case spikecube::ParamType::kBool: return "bool";
    case spikecube::ParamType::kString: return "str";
    case spikecube::ParamType::kIntervals: return "intervals";
  }
  return "";
}

py::list params() {
  const py::dict defaults = toml_loads(spikecube::to_toml(spikecube::Config{}));
  py::list out;
  for (const auto& spec : spikecube::param_specs()) {
    const std::string key(spec.key);
    const auto dot = key.find('.');
    const py::dict section = defaults[py::str(key.substr(0, dot))];
    const bool numeric = spec.type == spikecube::ParamType::kInt || spec.type == spikecube::ParamType::kUInt ||
                         spec.type == spikecube::ParamType::kFloat;
    py::object range = py::none(), choices = py::none();
    if (numeric) range = py::make_tuple(spec.min, spec.max >= 1e12 ? py::float_(INFINITY) : py::float_(spec.max));
    if (spec.type == spikecube::ParamType::kString && !spec.choices.empty()) {
      choices = py::str(std::string(spec.choices)).attr("split")("|");
    }
    out.append(py::dict("key"_a = key, "type"_a = type_name(spec.type),
                        "default"_a = section[py::str(key.substr(dot + 1))], "range"_a = range, "choices"_a = choices,
                        "live"_a = spec.live, "help"_a = std::string(spec.help)));
  }
  return out;
}

py::dict last_metrics(const spikecube::Simulation& sim) {
  const auto& m = sim.last();
  py::dict d("step"_a = m.step, "iou100"_a = m.iou100, "fire"_a = m.fire, "out_px"_a = m.out_px, "iou"_a = m.iou,
             "target_px"_a = m.target_px, "input_on"_a = m.input_on, "replay"_a = m.replay);
  for (std::size_t k = 0; k < m.extra.size() && k < sim.extra_metric_names().size(); ++k) {
    d[py::str(sim.extra_metric_names()[k])] = m.extra[k];
  }
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "spikecube engine bindings; import the package spikecube, not this module.";
  // every docstring starts with its Python signature; pybind11's generated
  // ones would name the internal module and C++ types
  py::options options;
  options.disable_function_signatures();
  m.attr("version") = spikecube::kVersion;

  py::register_exception<spikecube::python::ModelFault>(m, "ModelFault", PyExc_RuntimeError).doc() =
      "The model diverged (NaN/inf or runaway firing); the message names the step and the cause.";
  py::register_exception<spikecube::io::CheckpointError>(m, "CheckpointError", PyExc_OSError).doc() =
      "A checkpoint could not be read or written; the message is 'PATH: cause', as spikecube-cli prints it.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const spikecube::ConfigError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const spikecube::StateError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const spikecube::FileError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const spikecube::io::RecordingError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });

  m.attr("Frames") = py::module_::import("collections").attr("namedtuple")("Frames", "input target prediction");
  m.attr("Frames").attr("__module__") = "spikecube";
  m.attr("Frames").attr("__doc__") =
      "The three n x n frames of the last step, bool arrays indexed [y, x]: input (what the network saw: the "
      "target of the step before), target (the stimulus of this step, empty while the input is off), "
      "prediction (the readout's output).";

  m.def("presets", &presets, R"doc(presets() -> dict

The built-in presets: {name: one-line description}, e.g. "01_02", "cube-4".
Their TOML text: preset_text(name).)doc");
  m.def(
      "preset_text", [](const std::string& name) { return std::string(spikecube::preset_text(name)); }, "name"_a,
      R"doc(preset_text(name) -> str

The commented TOML of a built-in preset. ValueError for an unknown name.)doc");
  m.def("params", &params, R"doc(params() -> list of dict

The config schema, one dict per key in the order of the resolved config:
key ("section.name"), type ("int", "uint", "float", "bool", "str",
"intervals"), default, range ((min, max) for numbers, else None), choices
(allowed strings, else None), live (may change while running, with
Simulation.set) and help. The same table as `spikecube-cli params`.)doc");

  py::class_<PySimulation>(m, "Simulation",
                           R"doc(One experiment: a model (layer, cube or groups), its moving stimulus, the
input switch and the learning metrics; the same engine spikecube-cli runs,
so a config and seed give bit-identical spikes and weights (state_hash) in
both.

Simulation(preset=None, config=None, *, seed=None, threads=None, **overrides)

  preset     a built-in preset name (see presets()); default "01_01"
  config     instead of a preset: a TOML file path (str or os.PathLike), a
             TOML text (a str with a newline or '=' that is not a file),
             or a dict {"section": {"key": value}} or {"section.key": value}
             applied to the defaults
  seed       run.seed; threads: run.threads (0 = all cores; results do not
             depend on it)
  overrides  config keys set on top, in order, like spikecube-cli's --set:
             a section as a keyword with a dict, stdp={"a_plus": 0.01},
             or dotted keys through a dict, **{"stdp.a_plus": 0.01}

Bad input raises ValueError with spikecube-cli's one-line message, e.g.
"--set stdp.a_plsu: unknown key; did you mean stdp.a_plus?".

Example:
    sim = spikecube.Simulation(preset="01_02", seed=1)
    print(sim.run(6000).summary()["first_iou80"], sim.metrics()["iou100"][-1]))doc")
      .def(py::init([](const py::object& preset, const py::object& config, const py::object& seed,
                       const py::object& threads, const py::kwargs& overrides) {
             const spikecube::Config cfg = spikecube::python::resolve_config(preset, config, seed, threads, overrides);
             return std::make_unique<PySimulation>(std::make_unique<spikecube::Simulation>(cfg));
           }),
           "preset"_a = py::none(), "config"_a = py::none(), py::kw_only(), "seed"_a = py::none(),
           "threads"_a = py::none(),
           "Simulation(preset=None, config=None, *, seed=None, threads=None, **overrides)\n\nSee "
           "help(spikecube.Simulation).")
      .def_static(
          "load",
          [](const std::filesystem::path& path) {
            return std::make_unique<PySimulation>(spikecube::io::open_checkpoint(path.string()));
          },
          "path"_a, R"doc(load(path) -> Simulation

A Simulation restored from a checkpoint (spikecube-cli run --checkpoint, or
Simulation.save): config, step, every weight, potential and trace, the
stimulus, the input switch and the metric windows. Running on from it gives
the same spikes and weights as never having stopped. metrics() starts empty
(it holds the steps this object runs). CheckpointError (an OSError) for a
missing, truncated, corrupted or foreign file.)doc")
      .def(
          "save",
          [](PySimulation& s, const std::filesystem::path& path) {
            spikecube::io::save_checkpoint(path.string(), s.sim());
          },
          "path"_a,
          R"doc(save(path)

Writes the full state to an HDF5 checkpoint (the CLI's format: spikecube-cli
run --resume PATH continues it). Written to a temporary file and renamed,
so an existing file is never left half-written.)doc")
      .def(
          "step",
          [](py::object self, std::int64_t n) { self.cast<PySimulation&>().advance(self, n, false, 0, py::none()); },
          "n"_a = 1, R"doc(step(n=1)

Advances n steps (input frames). Releases the GIL while stepping; Ctrl-C
stops between steps with KeyboardInterrupt. ModelFault if the model
diverges.)doc")
      .def(
          "run",
          [](py::object self, const py::object& steps, bool progress, const py::object& every,
             const py::object& callback) {
            auto& s = self.cast<PySimulation&>();
            std::int64_t n = 0;
            if (steps.is_none()) n = std::max<std::int64_t>(0, s.sim().config().steps - s.sim().step_count());
            else n = steps.cast<std::int64_t>();
            std::int64_t k = every.is_none() ? 0 : every.cast<std::int64_t>();
            if (!every.is_none() && k < 1) {
              throw spikecube::ConfigError("every: " + std::to_string(k) +
                                           " is out of range; expected an integer in [1, inf)");
            }
            if (k == 0 && !callback.is_none()) k = 1;
            s.advance(self, n, progress, k, callback);
            return self;
          },
          "steps"_a = py::none(), "progress"_a = false, "every"_a = py::none(), "callback"_a = py::none(),
          R"doc(run(steps=None, progress=False, every=None, callback=None) -> self

Runs `steps` steps (default: what is left of the config's run.steps, as
spikecube-cli run does) and returns the Simulation, so that
sim.run(6000).summary() reads as one line. Releases the GIL while
stepping; Ctrl-C stops between steps with KeyboardInterrupt (the state is
that after the last whole step, so the run can go on). progress=True draws
a progress bar on stderr. callback(sim) is called every `every` steps
(default every step when a callback is given), between steps, with the GIL:
it may read the state, change live parameters or switch the input.
ModelFault if the model diverges.)doc")
      .def_property(
          "input", [](const PySimulation& s) { return s.sim().input_enabled(); },
          [](PySimulation& s, bool on) { s.sim().set_input_enabled(on); },
          R"doc(The manual input switch (bool), as the GUI's Input button. False: from the
next step on the stimulus is off (the target is empty, and so is the input,
the target of the step before, one step later) and the dot stays where it
is. The config's schedule.input_off intervals apply on top of it.)doc")
      .def_property(
          "input_mode",
          [](const PySimulation& s) {
            switch (s.sim().input_mode()) {
              case spikecube::InputMode::kOff: return std::string("off");
              case spikecube::InputMode::kReplay: return std::string("replay");
              case spikecube::InputMode::kOn: break;
            }
            return std::string("on");
          },
          [](PySimulation& s, const std::string& mode) {
            if (mode == "on") {
              s.sim().set_input_mode(spikecube::InputMode::kOn);
            } else if (mode == "off") {
              s.sim().set_input_mode(spikecube::InputMode::kOff);
            } else if (mode == "replay") {
              s.sim().set_input_mode(spikecube::InputMode::kReplay);
            } else {
              throw py::value_error("input_mode: '" + mode + "' is not allowed; expected one of {on, off, replay}");
            }
          },
          R"doc(The manual input mode (str), as the GUI's Input button cycles it: "on"
(the schedule decides), "off", or "replay": from the next step on the
network's input is its own prediction of the frame before, the stimulus keeps
moving unseen, the readout does not learn, and the metrics compare the
prediction with where the stimulus really is (summary()["replay_iou100"],
["replay_steps_80"]). The config's schedule.replay intervals replay too.)doc")
      .def(
          "set", [](PySimulation& s, const std::string& key, double value) { s.sim().set_param(key, value); }, "key"_a,
          "value"_a, R"doc(set(key, value)

Changes a live parameter between steps (see params(): live=True), e.g.
sim.set("stdp.a_plus", 0.01); booleans as True/False. ValueError with the
engine's message for an unknown key, a key that cannot change while running,
or a value out of range (then nothing changes).)doc")
      .def(
          "get",
          [](const PySimulation& s, const std::string& key) { return spikecube::get_param(s.sim().config(), key); },
          "key"_a, R"doc(get(key) -> float

The current value of a numeric config key, e.g. sim.get("stdp.a_plus").)doc")
      .def_property_readonly(
          "config", [](const PySimulation& s) { return toml_loads(spikecube::to_toml(s.sim().config())); },
          "The resolved config as a dict of sections (live changes included); Simulation(config=sim.config) rebuilds "
          "it.")
      .def_property_readonly(
          "config_toml", [](const PySimulation& s) { return spikecube::to_toml(s.sim().config()); },
          "The resolved config as TOML text (what spikecube-cli writes to config.toml).")
      .def_property_readonly(
          "step_count", [](const PySimulation& s) { return s.sim().step_count(); },
          "Steps done so far (a loaded checkpoint's steps included).")
      .def_property_readonly(
          "model", [](const PySimulation& s) { return std::string(s.sim().model().kind()); },
          "The model: \"layer\", \"cube\" or \"groups\".")
      .def_property_readonly(
          "shape",
          [](const PySimulation& s) {
            const auto d = s.sim().model().dims();
            return py::make_tuple(d.nz, d.ny, d.nx);
          },
          "(nz, ny, nx): the shape of the lattice arrays (layer model: (1, n, n)).")
      .def_property_readonly(
          "last", [](const PySimulation& s) { return last_metrics(s.sim()); },
          "The last step's metrics as a dict (one row of metrics.csv).")
      .def(
          "potential", [](const PySimulation& s) { return spikecube::python::potential(s.sim()); },
          "potential() -> float32 array (nz, ny, nx): membrane potential v of each neuron, indexed [z, y, x].")
      .def(
          "threshold", [](const PySimulation& s) { return spikecube::python::threshold(s.sim()); },
          "threshold() -> float32 array (nz, ny, nx): each neuron's firing threshold theta (homeostatic, theta0 + "
          "adaptation, or the fixed value, per neuron.threshold).")
      .def(
          "spikes", [](const PySimulation& s) { return spikecube::python::spikes(s.sim()); },
          "spikes() -> bool array (nz, ny, nx): the neurons that spiked at the last step.")
      .def(
          "weights",
          [](const PySimulation& s, const std::string& which) { return spikecube::python::weights(s.sim(), which); },
          "which"_a = "zp", R"doc(weights(which="zp") -> float32 array

Link weights. cube and groups: which = "xp", "xm", "yp", "ym", "zp" or "zm"
(direction of travel), shape (nz, ny, nx), indexed by the link's target:
weights("zp")[z, y, x] is the link from (x, y, z-1) into (x, y, z); links
with no source are 0. groups also: "intra", shape (groups, G, G) with
G = g^3, indexed [group, source, target] by the local index
((z%g)*g + y%g)*g + x%g. layer: "in", shape (n, n, n, n), indexed
[hidden y, hidden x, pixel y, pixel x]. ValueError for another name.)doc")
      .def(
          "frames", [](const PySimulation& s) { return spikecube::python::frames(s.sim()); },
          "frames() -> Frames(input, target, prediction): the last step's n x n frames as bool arrays [y, x].")
      .def(
          "layer_rates", [](const PySimulation& s) { return spikecube::python::layer_rates(s.sim()); },
          "layer_rates() -> float64 array (nz,): the fraction of each layer z that spiked at the last step.")
      .def(
          "metrics", [](const PySimulation& s) { return spikecube::python::metrics(s.sim(), s.log()); },
          R"doc(metrics() -> dict of 1-D arrays

One entry per metrics.csv column, one value per step this object ran: step
(int64), iou100, fire, iou (float64), out_px, target_px (int64), input_on
(bool), and the model's extra columns (cube, groups: focus, focus_lagged).)doc")
      .def(
          "summary",
          [](const PySimulation& s) {
            const auto& sim = s.sim();
            const std::string json = spikecube::summary_json(sim.config(), sim.summary(), s.steps_run(), s.seconds(),
                                                             sim.model().state_hash());
            return py::module_::import("json").attr("loads")(json);
          },
          R"doc(summary() -> dict

summary.json's fields: model, seed, steps, seconds and steps_run (this
object's stepping), steps_per_s, iou100_final, fire_final, first_iou50,
first_iou80, resume_iou50, resume_iou80 (-1 = not reached) and state_hash.)doc")
      .def(
          "state_hash", [](const PySimulation& s) { return spikecube::hash_hex(s.sim().model().state_hash()); },
          R"doc(state_hash() -> str

Hash of the spikes and all weights as 16 hex digits, as summary.json's
state_hash: equal for equal config, seed and step count, from Python, the
CLI or the GUI, at any thread count.)doc")
      .def("__repr__", [](const PySimulation& s) {
        const auto& sim = s.sim();
        const auto d = sim.model().dims();
        return "<spikecube.Simulation " + std::string(sim.model().kind()) + " " + std::to_string(d.nz) + "x" +
               std::to_string(d.ny) + "x" + std::to_string(d.nx) + " seed=" + std::to_string(sim.config().seed) +
               " step=" + std::to_string(sim.step_count()) + (sim.input_enabled() ? "" : " input=off") + ">";
      });
}
