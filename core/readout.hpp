#pragma once
// Delta-rule readout shared by every model: output pixel k is on when
// (W_out s)_k > tau_out, and W_out learns dW = eta_out (y - y_hat) s^T.
// Spikes are sparse, so the drive is a sum of the columns of the spiking
// source neurons and learning touches only those columns' error rows.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/config.hpp"
#include "core/frame.hpp"
#include "core/state_archive.hpp"
#include "core/state_fields.hpp"

namespace spikecube {

class Readout {
 public:
  // sources: number of source neurons; source_xy maps a source index to its
  // grid position (for a local receptive field, readout.radius >= 0).
  Readout(int n, std::int64_t sources, const std::vector<Point>& source_xy, const Config& cfg, std::uint64_t seed);

  // Prediction from the indices of the source neurons that spiked.
  void predict(const std::vector<std::int32_t>& active, Frame& out);
  // Delta rule on the columns of `active` for the rows where out != target.
  void learn(const std::vector<std::int32_t>& active, const Frame& out, const Frame& target);

  void set_rates(double eta_out, double tau_out) {
    eta_ = static_cast<float>(eta_out);
    tau_ = static_cast<float>(tau_out);
  }
  const Eigen::MatrixXf& weights() const { return w_; }
  // The readout's state for the owning model's field list: the weights, as
  // the array prefix + "w_out".
  void fields(FieldVisitor& v, const std::string& prefix);

 private:
  int pixels_;
  Eigen::MatrixXf w_;      // pixels x sources, column-major: a source's weights are contiguous
  Eigen::MatrixXf mask_;   // same shape, 1 inside the local field; empty when dense
  Eigen::VectorXf drive_;  // pixels
  float eta_, tau_;
};

// Mixing of raw bytes into a running hash (determinism tests).
std::uint64_t hash_bytes(std::uint64_t h, const void* data, std::size_t size);

}  // namespace spikecube
