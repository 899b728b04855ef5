#pragma once
// The original single-layer experiment (DESIGN 2.2): an n x n hidden layer of
// LIF neurons on the input grid, plastic input weights (Hebbian by default,
// or pair STDP), optional local recurrent links, homeostatic thresholds and a
// delta-rule readout that learns to predict the next frame.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/model.hpp"
#include "core/neurons.hpp"
#include "core/readout.hpp"

namespace spikecube {

class LayerModel final : public Model {
 public:
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
  void learn_input(const Frame& x);
  void learn_recurrent();

  Config cfg_;
  int n_;
  std::int64_t m_;             // hidden neurons = n * n
  NeuronParams np_;
  Neurons neurons_;
  Eigen::MatrixXf w_in_;       // hidden x pixels, column-major: one pixel's weights are contiguous
  std::vector<Point> rec_offsets_;  // (dx, dy) of recurrent links, r_rec > 0
  Eigen::MatrixXf w_rec_;      // offsets x hidden: w_rec_(k, i) is the link from i + offset k to i (0 outside the grid)
  Eigen::ArrayXf pre_in_;      // STDP pre trace of each input pixel
  Eigen::ArrayXf pre_hid_;     // STDP pre trace of each hidden neuron (recurrent links)
  Eigen::ArrayXf post_;        // STDP post trace of each hidden neuron
  Eigen::ArrayXf current_;     // scratch: input + recurrent current
  std::vector<std::uint8_t> spikes_, prev_spikes_;
  std::vector<std::int32_t> active_;      // indices of the neurons that spiked this step
  std::vector<std::int32_t> lit_;         // indices of the lit input pixels this step
  Readout readout_;
  Frame output_;
  std::int64_t runaway_steps_ = 0;
  std::uint64_t seed_;
};

}  // namespace spikecube
