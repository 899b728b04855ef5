#include "python/src/state_arrays.hpp"

#include <array>
#include <cstring>
#include <vector>

#include "core/cube_model.hpp"
#include "core/groups_model.hpp"
#include "core/layer_model.hpp"
#include "core/neurons.hpp"
#include "core/run_report.hpp"

namespace spikecube::python {
namespace {

std::vector<py::ssize_t> lattice_shape(const Simulation& sim) {
  const Dims d = sim.model().dims();
  return {d.nz, d.ny, d.nx};
}

template <typename T, typename Src>
py::array copy_array(std::vector<py::ssize_t> shape, const Src* data) {
  py::array_t<T> a(shape);
  static_assert(sizeof(T) == sizeof(Src));
  std::memcpy(a.mutable_data(), data, static_cast<std::size_t>(a.size()) * sizeof(T));
  return a;
}

const CubeModel* cube(const Simulation& sim) { return dynamic_cast<const CubeModel*>(&sim.model()); }
const LayerModel* layer(const Simulation& sim) { return dynamic_cast<const LayerModel*>(&sim.model()); }

// theta from the stored threshold state: the threshold itself (homeostatic,
// and fixed in the layer model), theta0 + a (adaptive), or theta_init (fixed
// rule of the lattices, which store nothing).
py::array effective_threshold(const Simulation& sim, const float* state, std::size_t stored) {
  const NeuronParams p = NeuronParams::from(sim.config());
  py::array_t<float> a(lattice_shape(sim));
  float* out = a.mutable_data();
  const auto count = static_cast<std::size_t>(a.size());
  for (std::size_t i = 0; i < count; ++i) {
    if (stored == 0) out[i] = p.theta_init;
    else if (p.rule == ThresholdRule::kAdaptive) out[i] = p.theta0 + state[i];
    else out[i] = state[i];
  }
  return a;
}

constexpr std::array<const char*, CubeModel::kDirections> kDirectionNames = {"xp", "xm", "yp", "ym", "zp", "zm"};

}  // namespace

py::array potential(const Simulation& sim) {
  if (const auto* c = cube(sim)) return copy_array<float>(lattice_shape(sim), c->potentials().data());
  return copy_array<float>(lattice_shape(sim), layer(sim)->potentials().data());
}

py::array threshold(const Simulation& sim) {
  if (const auto* c = cube(sim))
    return effective_threshold(sim, c->threshold_state().data(), c->threshold_state().size());
  const auto& t = layer(sim)->thresholds();
  return effective_threshold(sim, t.data(), static_cast<std::size_t>(t.size()));
}

py::array spikes(const Simulation& sim) {
  if (const auto* c = cube(sim)) return copy_array<bool>(lattice_shape(sim), c->spikes());
  return copy_array<bool>(lattice_shape(sim), layer(sim)->spikes().data());
}

py::array weights(const Simulation& sim, const std::string& which) {
  if (const auto* c = cube(sim)) {
    const auto* g = dynamic_cast<const GroupsModel*>(c);
    for (int d = 0; d < CubeModel::kDirections; ++d) {
      if (which == kDirectionNames[static_cast<std::size_t>(d)])
        return copy_array<float>(lattice_shape(sim), c->weights(d).data());
    }
    if (g && which == "intra") {
      const std::int64_t groups = g->groups(), gn = g->group_neurons();
      py::array_t<float> a({groups, gn, gn});
      float* out = a.mutable_data();
      for (std::int64_t b = 0; b < groups; ++b)
        for (int j = 0; j < gn; ++j)
          for (int i = 0; i < gn; ++i) *out++ = g->intra_weight(b, j, i);
      return a;
    }
    throw ConfigError("weights: unknown link set '" + which + "'; expected one of {xp, xm, yp, ym, zp, zm" +
                      (g ? std::string(", intra}") : std::string("}")));
  }
  if (which != "in") throw ConfigError("weights: unknown link set '" + which + "'; expected one of {in} (layer model)");
  const Eigen::MatrixXf& w = layer(sim)->input_weights();  // hidden x pixels, column-major
  const py::ssize_t n = sim.config().n;
  py::array_t<float> a({n, n, n, n});
  float* out = a.mutable_data();
  for (Eigen::Index h = 0; h < w.rows(); ++h)
    for (Eigen::Index px = 0; px < w.cols(); ++px) *out++ = w(h, px);
  return a;
}

py::tuple frames(const Simulation& sim) {
  const py::ssize_t n = sim.config().n;
  py::object make = py::module_::import("spikecube._core").attr("Frames");
  return make(copy_array<bool>({n, n}, sim.input_frame().data()), copy_array<bool>({n, n}, sim.target_frame().data()),
              copy_array<bool>({n, n}, sim.output_frame().data()));
}

py::array layer_rates(const Simulation& sim) {
  std::vector<double> rates;
  sim.model().layer_rates(rates);
  if (rates.empty()) rates.push_back(sim.model().firing_rate());  // single-layer model
  return copy_array<double>({static_cast<py::ssize_t>(rates.size())}, rates.data());
}

py::dict metrics(const Simulation& sim, const MetricsLog& log) {
  const auto rows = static_cast<py::ssize_t>(log.step.size());
  const auto columns = metric_columns(sim);
  std::vector<py::array> arrays = {
      copy_array<std::int64_t>({rows}, log.step.data()), copy_array<double>({rows}, log.iou100.data()),
      copy_array<double>({rows}, log.fire.data()),       copy_array<std::int64_t>({rows}, log.out_px.data()),
      copy_array<double>({rows}, log.iou.data()),        copy_array<std::int64_t>({rows}, log.target_px.data()),
      copy_array<bool>({rows}, log.input_on.data()),     copy_array<bool>({rows}, log.replay.data())};
  for (std::size_t k = 0; arrays.size() < columns.size(); ++k) {
    std::vector<double> v = k < log.extra.size() ? log.extra[k] : std::vector<double>();
    v.resize(static_cast<std::size_t>(rows));
    arrays.push_back(copy_array<double>({rows}, v.data()));
  }
  py::dict out;
  for (std::size_t c = 0; c < columns.size(); ++c) out[py::str(columns[c])] = arrays[c];
  return out;
}

}  // namespace spikecube::python
