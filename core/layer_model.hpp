#pragma once
// The original single-layer experiment (README "The layer model against the
// original"): an n x n hidden layer of
// LIF neurons on the input grid, plastic input weights (Hebbian by default,
// or pair STDP), optional local recurrent links, homeostatic thresholds and a
// delta-rule readout that learns to predict the next frame.

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/model.hpp"
#include "core/neurons.hpp"
#include "core/readout.hpp"

namespace spikecube {

// layer.input_rule of the TOML config
enum class InputRule : std::uint8_t { kHebb, kStdp };

// What the layer's step reads of the config, derived once (and again by
// update_params).
struct LayerParams {
  NeuronParams neuron;
  int radius = 1;
  bool masked = false;
  InputRule input_rule = InputRule::kHebb;
  float eta = 0.0f, w_in_max = 0.0f, w_rec_max = 0.0f;
  float a_plus = 0.0f, a_minus = 0.0f;
  float decay_plus = 1.0f, decay_minus = 1.0f;  // per-step decay of the pre and post traces
  bool multiplicative = false, nearest = false, plastic = true;

  static LayerParams from(const Config& cfg);
};

class LayerModel final : public Model {
 public:
  // The phases of one step in the order step() runs them; docs/architecture.md
  // lists the same names.
  static std::span<const std::string_view> phase_names();

  explicit LayerModel(const Config& cfg);

  std::string_view kind() const override { return "layer"; }
  Dims dims() const override { return {n_, n_, 1}; }
  void step(const StepInput& in) override;
  const Frame& output() const override { return output_; }
  double firing_rate() const override { return static_cast<double>(active_.size()) / static_cast<double>(m_); }
  void update_params(const Config& cfg) override;
  Health health() const override;
  void view(NeuronView& out, int max_neurons) const override;
  void save(StateArchive& out) const override;
  void load(const StateArchive& in) override;
  std::uint64_t state_hash() const override;
  void visit_state(FieldVisitor& v) override;

  // Read access for tests.
  const Eigen::MatrixXf& input_weights() const { return w_in_; }
  const Eigen::ArrayXf& thresholds() const { return neurons_.theta; }
  const Eigen::ArrayXf& potentials() const { return neurons_.v; }
  const std::vector<std::uint8_t>& spikes() const { return spikes_; }
  const Readout& readout() const { return readout_; }
  // Number of recurrent links per neuron offset (r_rec > 0), for tests.
  int recurrent_offsets() const { return static_cast<int>(rec_offsets_.size()); }

 private:
  bool in_field(int neuron, int pixel) const;
  // the phases, in step order
  void currents(const Frame& x);
  void integrate(std::int64_t step);
  void predict();
  void learn_input(const Frame& x);
  void learn_recurrent();
  void learn_readout(const Frame& target);
  void update_traces(const Frame& x);
  void metrics();
  FieldList field_list() const;

  LayerParams p_;
  int n_;
  std::int64_t m_;  // hidden neurons = n * n
  Neurons neurons_;
  Eigen::MatrixXf w_in_;            // hidden x pixels, column-major: one pixel's weights are contiguous
  std::vector<Point> rec_offsets_;  // (dx, dy) of recurrent links, r_rec > 0
  Eigen::MatrixXf w_rec_;   // offsets x hidden: w_rec_(k, i) is the link from i + offset k to i (0 outside the grid)
  Eigen::ArrayXf pre_in_;   // STDP pre trace of each input pixel
  Eigen::ArrayXf pre_hid_;  // STDP pre trace of each hidden neuron (recurrent links)
  Eigen::ArrayXf post_;     // STDP post trace of each hidden neuron
  Eigen::ArrayXf current_;  // scratch: input + recurrent current
  std::vector<std::uint8_t> spikes_, prev_spikes_;
  std::vector<std::int32_t> active_;  // indices of the neurons that spiked this step
  std::vector<std::int32_t> lit_;     // indices of the lit input pixels this step
  Readout readout_;
  Frame output_;
  std::int64_t runaway_steps_ = 0;  // one-element array of the checkpoint
  std::uint64_t seed_;
};

}  // namespace spikecube
