#pragma once
// Wider lateral links (lattice.lateral_radius, usually set per layer with
// [[override]]): in a layer with radius r > 0, each neuron also has a plastic
// link from every neuron of its layer within Chebyshev distance r, other
// than itself and its 4 lattice neighbours, K = (2r+1)^2 - 5 per neuron.
// Only those layers are stored: K weights per neuron, in a fixed offset
// order; a link whose source is off the grid holds 0 and never learns. The
// weights are state (LatticeState::w_lateral); this is their layout and the
// two phases of the step that use them, both partitioned by target neuron
// with a fixed order of terms, so any thread count gives the same bits.

#include <cstdint>
#include <utility>
#include <vector>

#include "core/lattice.hpp"
#include "core/thread_pool.hpp"

namespace spikecube {

class LateralLinks {
 public:
  // The layout of p's layers with lateral_radius > 0; the weights' size.
  void build(const LatticeParams& p);
  bool empty() const { return layers_.empty(); }
  std::size_t weight_count() const { return weights_; }
  // Initial weights U(lo, hi) clipped to the layer's w_max, from the seed
  // (Stream::kInitLateral, one key per layer).
  void init_weights(const LatticeParams& p, double lo, double hi, std::vector<float>& w) const;
  // Links whose source lies on the grid (the others hold 0).
  std::int64_t link_count(const LatticeParams& p) const;
  bool on_grid(const LatticeParams& p, std::size_t link) const;

  // Phase lateral_currents: out[i] = lateral_gain * sum_k w_ik s_j(k) for
  // every neuron i of a lateral layer, from the last step's spikes s.
  void currents(const LatticeParams& p, const std::vector<float>& w, const std::uint8_t* s, float* out,
                ThreadPool& pool) const;
  // Phase lateral_plasticity: pair STDP (stdp_link, the target layer's
  // stdp.* without a direction's rate) of every link whose source or target
  // spiked in s, from the traces x (pre) and y (post) before those spikes.
  void plasticity(const LatticeParams& p, std::vector<float>& w, const std::uint8_t* s, const float* x, const float* y,
                  ThreadPool& pool) const;

 private:
  struct Layer {
    int z = 0;
    std::int64_t start = 0;                   // first weight of the layer
    std::vector<std::pair<int, int>> offset;  // (dx, dy) from target to source, K of them
  };
  // neurons [b, e) of the lateral layers, counted over those layers only
  template <class Fn>
  void for_targets(const LatticeParams& p, std::int64_t b, std::int64_t e, Fn&& fn) const;
  std::vector<Layer> layers_;
  std::size_t weights_ = 0;
};

}  // namespace spikecube
