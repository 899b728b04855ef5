#pragma once
// The isotropic lattice of DESIGN 2.3 ("cube"): N = n x n x L LIF neurons,
// neuron (x, y, z) at index i = (z*n + y)*n + x, each with a directed,
// individually weighted, plastic link to each of its 6 lattice neighbours
// (no wrap-around). Input enters face z = 0, a delta-rule readout reads
// face z = L-1 (or the last k layers) and predicts the next frame.
//
// Storage (what every step touches, 35-39 bytes per neuron): six weight
// arrays of length N indexed by the *target* of the link, one per direction
// of travel (w[kXp][i] is the link from (x-1, y, z) into i); links that would
// leave the lattice are kept at weight 0, so the current gather needs no
// masks and no index arrays. Spikes are bytes, double-buffered. The STDP
// trace is one array when tau_plus == tau_minus (pre and post traces are then
// identical), two otherwise; threshold and refractory arrays exist only when
// the neuron rule needs them.
//
// Order of one neural step t (substeps per input frame, default 1), one
// pass over the lattice in blocks of rows:
//   1. STDP of step t-1, target by target: a link j -> i changes when i or j
//      spiked at t-1, from the traces as they stood before those spikes. It
//      is deferred from step t-1 to here so that every link weight is read
//      and written once per step, in the same streaming pass as the current
//      gather, instead of at random addresses per spike (DRAM latency once
//      the lattice outgrows the cache). Anything that reads the weights
//      between steps (save, state_hash, weights(), a rate change) applies
//      the pending STDP first, so what is observable is as if it had run at
//      the end of step t-1.
//   2. currents from last step's spikes (fixed direction order xp, xm, yp,
//      ym, zp, zm, then input);
//   3. traces brought up to date with last step's spikes, membrane, spikes,
//      threshold rule. Step 1 reads the neighbours' old traces, so this runs
//      one z-plane (n rows) behind steps 1-2 (see Part).
// After the last substep: readout prediction (from the readout neurons that
// spiked in any substep of the frame), readout learning, metrics.
//
// Threads: rows (z, y) are split into fixed contiguous ranges, one per
// worker; every value is computed by the same arithmetic whatever the
// partition, so results are bit-identical for any run.threads. The first
// and last plane of a worker's range are integrated after a barrier, once
// the neighbouring workers have read their old traces.

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/lattice_stdp.hpp"
#include "core/model.hpp"
#include "core/neurons.hpp"
#include "core/readout.hpp"
#include "core/thread_pool.hpp"

namespace spikecube {

class CubeModel : public Model {
 public:
  // Directions of travel of a link's spikes; the source of w[d][i] is the
  // neighbour of i on the opposite side.
  enum Direction : int { kXp = 0, kXm, kYp, kYm, kZp, kZm, kDirections };

  explicit CubeModel(const Config& cfg);
  ~CubeModel() override;

  std::string_view kind() const override { return "cube"; }
  Dims dims() const override { return {n_, n_, depth_}; }
  void step(const StepInput& in) override;
  const Frame& output() const override { return output_; }
  double firing_rate() const override { return static_cast<double>(last_spikes_) / static_cast<double>(count_); }
  std::vector<std::string> extra_metric_names() const override { return {"focus", "focus_lagged"}; }
  void extra_metrics(std::vector<double>& out) const override { out.assign({focus_, focus_lagged_}); }
  void layer_rates(std::vector<double>& out) const override;
  void update_params(const Config& cfg) override;
  Health health() const override;
  void view(NeuronView& out, int max_neurons) const override;
  void save(StateArchive& out) const override;
  void load(const StateArchive& in) override;
  std::uint64_t state_hash() const override;
  std::size_t state_bytes() const override;

  // Test hook: run the portable STDP loops instead of the AVX-512 kernel
  // (where the build has one) in models stepped from now on; the results are
  // bit-identical, which the tests check.
  static inline bool portable_kernels = false;

  // Test hook: adds `current` to neuron i's input on the next neural step
  // only (e.g. a point stimulus inside the lattice).
  void inject(std::int64_t i, float current) { injected_.push_back({i, current}); }

  // Read access for tests and tools.
  int threads() const { return pool_.size(); }
  const std::vector<float>& weights(int direction) const {
    settle();
    return w_[static_cast<std::size_t>(direction)];
  }
  const std::uint8_t* spikes() const { return spk_[cur_].data() + pad_; }
  const std::vector<float>& potentials() const { return v_; }
  // Threshold state, N values: the threshold (homeostatic rule), the
  // adaptation a of theta = theta0 + a (adaptive rule), or empty (fixed rule).
  const std::vector<float>& threshold_state() const { return theta_; }
  std::int64_t index(int x, int y, int z) const { return (static_cast<std::int64_t>(z) * n_ + y) * n_ + x; }
  // Whether the link into (x, y, z) travelling in direction d has a source.
  bool has_link(int d, int x, int y, int z) const;

 protected:
  // Hooks for models built on this lattice (the groups model, DESIGN 2.4);
  // the cube itself leaves them empty. before_currents() runs once per neural
  // step before any current is computed (spikes() then still holds the last
  // step's spikes); extra_current_, when set, points to N floats added to
  // each neuron's current after the lattice and input currents.
  // after_plasticity() runs once per neural step after the lattice STDP (only
  // when stdp.plastic), with spikes() holding this step's spikes.
  virtual void before_currents() {}
  virtual void after_plasticity() {}
  const float* extra_current_ = nullptr;
  ThreadPool& pool() { return pool_; }
  std::vector<float>& lattice_weights(int direction) {
    settle();
    return w_[static_cast<std::size_t>(direction)];
  }
  // Lattice links exist only across every p-th plane of each axis (p = 1:
  // all of them; the groups model has none inside a g x g x g group). STDP
  // never touches a link that does not exist, so its weight stays 0.
  void set_link_period(int p);
  // STDP traces as they stood before this step's spikes; read them through
  // std::fabs (the pre trace's sign bit may carry the latest spike).
  const float* pre_trace() const { return trace_pre_.data() + tpad_; }
  const float* post_trace() const { return two_traces_ ? trace_post_.data() : pre_trace(); }

 private:
  struct Injection {
    std::int64_t index;
    float current;
  };
  // One worker's rows [begin, end) and where the currents of its rows wait
  // between the gather and the integration. Rows [begin, head_end) and
  // [tail_begin, end) are read by a neighbouring worker's STDP, so they are
  // integrated after the barrier (phase 2); the rows between are integrated
  // n rows behind the gather, in a ring of ring_rows rows.
  struct Part {
    std::int64_t begin = 0, end = 0, head_end = 0, tail_begin = 0, ring_rows = 0;
    std::vector<float> head, tail, ring;
    float* currents(std::int64_t row, std::int64_t n);
  };
  void make_parts();
  void front_rows(std::int64_t r0, std::int64_t r1, float* c);
  struct Kernel;  // the integration kernel of this step and its arguments (cube_model.cpp)
  void integrate_rows(std::int64_t r0, std::int64_t r1, const float* c, int worker, const Kernel& k);
  void pass_part(int worker, const Kernel& k);
  void finish_part(int worker, const Kernel& k);
  // pending STDP of the spikes in spk_[buffer] on rows [r0, r1), within one plane
  void stdp_rows(std::int64_t r0, std::int64_t r1, int buffer) const;
  // applies the pending STDP of the latest step, if any
  void settle() const;
  void neural_step(std::int64_t neural_step);
  void set_rules();
  void compute_focus();

  Config cfg_;
  int n_, depth_;
  std::int64_t nn_, count_, rows_;
  NeuronParams np_;
  std::array<float, kDirections> gain_{};
  std::array<LinkRule, kDirections> rule_{};
  float decay_plus_ = 1.0f, decay_minus_ = 1.0f;
  bool two_traces_ = false;

  // link weights by target, one per direction, N each; mutable for settle()
  mutable std::array<std::vector<float>, kDirections> w_;
  mutable bool stdp_pending_ = false;  // the latest step's STDP is still to be applied
  std::vector<float> v_;              // membrane potential, N
  std::vector<float> theta_;          // homeostatic: threshold; adaptive: adaptation a; fixed: empty
  std::vector<float> trace_pre_;      // STDP pre trace x, N plus tpad_ each side, up to date to the step before last; its sign bit is the latest spike
  std::int64_t tpad_ = 0;
  std::vector<float> trace_post_;     // STDP post trace y, N; empty when tau_plus == tau_minus
  std::vector<std::uint8_t> refr_;    // refractory steps left, N; empty when refractory = 0
  std::array<std::vector<std::uint8_t>, 2> spk_;  // spikes of this and the last step, N plus padding
  std::int64_t pad_ = 0;              // padding bytes before and after each spike array
  int cur_ = 0;                       // spk_[cur_] holds the latest step's spikes
  std::array<std::vector<std::int32_t>, 2> row_spikes_;  // spikes per row (z, y) of spk_[0] and spk_[1]
  std::array<std::vector<std::uint8_t>, 4> plane_links_;  // kXp..kYm, per (x, y): 1 where the in-link exists
  std::vector<std::uint8_t> z_links_;      // per z: bit d set when the in-links of direction d (z) exist
  std::int64_t block_rows_ = 1;       // rows per block of the pass: divides n, so no block straddles a plane
  std::vector<std::uint8_t> bad_;     // per worker: a non-finite potential was seen
  std::vector<Part> parts_;           // per worker

  Frame drive_;                       // n*n: pixels of face z = 0 driven this frame (patch dilated)
  bool drive_any_ = false;
  std::vector<Injection> injected_;
  std::unique_ptr<Readout> readout_;  // null when readout.enabled = false
  std::int64_t readout_first_ = 0;    // index of the first readout neuron
  std::vector<std::int32_t> active_;  // readout sources that spiked this frame
  std::vector<std::uint8_t> seen_;    // per readout source: already in active_
  Frame output_;
  std::vector<std::vector<Point>> history_;  // input points, history_[k] = k frames ago
  std::int64_t last_spikes_ = 0;
  double focus_ = 0, focus_lagged_ = 0;
  std::int64_t runaway_steps_ = 0;
  std::int64_t frames_ = 0;           // frames stepped (neural step counter = frames * substeps)
  std::uint64_t seed_;
  ThreadPool pool_;
};

// The benchmark scenario of DESIGN 2.3 (the Brian2 peer's parameters):
// rho 0.9, b 0.05, noise 0.2, fixed threshold 1.0, reset 0, refractory 3,
// weights U(0.08, 0.12), w_max 0.25, input gain 2, STDP tau 20,
// A+ 0.0025, A- 1.05 A+, isotropic, moving dot input.
Config cube_benchmark_config(int n, int depth, int threads);

}  // namespace spikecube
