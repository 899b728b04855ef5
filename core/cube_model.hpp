#pragma once
// The isotropic lattice ("cube", docs/cube.md): N = n x n x L LIF neurons,
// neuron (x, y, z) at index i = (z*n + y)*n + x, each with a directed,
// individually weighted, plastic link to each of its 6 lattice neighbours
// (no wrap-around). Input enters face z = 0, a delta-rule readout reads
// face z = L-1 (or the last k layers) and predicts the next frame.
//
// Storage (what every step touches, 35-39 bytes per neuron; LatticeState in
// core/lattice.hpp): six weight arrays of length N indexed by the *target*
// of the link, one per direction of travel; links that would leave the
// lattice are kept at weight 0, so the current gather needs no masks and no
// index arrays. Spikes are bytes, double-buffered. The STDP trace is one
// array when tau_plus == tau_minus (pre and post traces are then identical),
// two otherwise; threshold and refractory arrays exist only when the neuron
// rule needs them.
//
// The step: CubeModel::step() and neural_step() call the phases in order,
// one named function each; phase_names() lists them and docs/architecture.md
// describes them (a test keeps the two in agreement). The lattice's STDP is
// deferred by one step and runs in the same streaming pass over the lattice
// as the current gather, block by block, so that every link weight is read
// and written once per step instead of at random addresses per spike (DRAM
// latency once the lattice outgrows the cache). Anything that reads the
// weights between steps (save, state_hash, weights(), a parameter change)
// applies the pending STDP first (settle()), so what is observable is as if
// it had run at the end of the step that caused it.
//
// Threads: rows (z, y) are split into fixed contiguous ranges, one per
// worker; every value is computed by the same arithmetic whatever the
// partition, so results are bit-identical for any run.threads. The first
// and last plane of a worker's range are integrated after a barrier, once
// the neighbouring workers' deferred STDP has read their old traces.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lateral_links.hpp"
#include "core/lattice.hpp"
#include "core/model.hpp"
#include "core/readout.hpp"
#include "core/thread_pool.hpp"

namespace spikecube {

class CubeModel : public Model {
 public:
  // Directions of travel of a link's spikes (LatticeDirection); the source of
  // w[d][i] is the neighbour of i on the opposite side.
  using Direction = LatticeDirection;
  static constexpr Direction kXp = kLatticeXp, kXm = kLatticeXm, kYp = kLatticeYp, kYm = kLatticeYm, kZp = kLatticeZp,
                             kZm = kLatticeZm;
  static constexpr int kDirections = kLatticeDirections;

  // The phases of one step in the order the code runs them (step() and
  // neural_step()); docs/architecture.md lists the same names.
  static std::span<const std::string_view> phase_names();

  // comm: the ranks the lattice is split over (core/lattice_slab.hpp); this
  // model holds its rank's slab and exchanges the planes next to it with its
  // z-neighbours every neural step. Every rank must construct, step, hash
  // and load its model together.
  explicit CubeModel(const Config& cfg, RankComm& comm = single_rank());
  ~CubeModel() override;

  std::string_view kind() const override { return "cube"; }
  // the whole lattice's (params() has the slab's)
  Dims dims() const override { return {p_.n, p_.n, static_cast<int>(p_.slab.total)}; }
  void step(const StepInput& in) override;
  const Frame& output() const override { return st_.output; }
  double firing_rate() const override {
    return static_cast<double>(st_.last_spikes) / static_cast<double>(p_.nn * p_.slab.total);
  }
  std::vector<std::string> extra_metric_names() const override { return {"focus", "focus_lagged"}; }
  void extra_metrics(std::vector<double>& out) const override { out.assign(st_.focus.begin(), st_.focus.end()); }
  void layer_rates(std::vector<double>& out) const override;
  void update_params(const Config& cfg) override;
  Health health() const override;
  void view(NeuronView& out, int max_neurons) const override;
  void save(StateArchive& out) const override;
  void load(const StateArchive& in) override;
  StateSplit state_split() const override;
  std::uint64_t state_hash() const override;
  std::size_t state_bytes() const override;
  void visit_state(FieldVisitor& v) override;

  // Test hook: run the portable STDP loops instead of the AVX-512 kernel
  // (where the build has one) in models stepped from now on; the results are
  // bit-identical, which the tests check.
  static inline bool portable_kernels = false;

  // Test hook: adds `current` to neuron i's input on the next neural step
  // only (e.g. a point stimulus inside the lattice).
  void inject(std::int64_t i, float current) { injected_.push_back({i, current}); }

  // The halo exchange with the neighbouring ranks so far: bytes this rank
  // sent, and seconds it waited for the transfers to complete (bench).
  std::int64_t halo_bytes() const { return halo_bytes_; }
  double halo_wait_seconds() const { return halo_wait_s_; }

  // Read access for tests and tools (the slab's arrays, local indices).
  int threads() const { return pool_.size(); }
  const std::vector<float>& weights(int direction) const {
    settle();
    return st_.w[static_cast<std::size_t>(direction)];
  }
  const std::uint8_t* spikes() const { return st_.spikes(); }
  const std::vector<float>& potentials() const { return st_.v; }
  // Threshold state, N values: the threshold (homeostatic rule), the
  // adaptation a of theta = theta0 + a (adaptive rule), or empty (fixed rule).
  const std::vector<float>& threshold_state() const { return st_.theta; }
  std::int64_t index(int x, int y, int z) const { return p_.index(x, y, z); }
  // Whether the link into (x, y, z) travelling in direction d has a source.
  bool has_link(int d, int x, int y, int z) const { return p_.has_link(d, x, y, z); }
  // The wider lateral links: their layout and weights (tests).
  const LateralLinks& lateral_links() const { return lateral_; }
  const LatticeParams& params() const { return p_; }
  const std::vector<float>& lateral_weights() const { return st_.w_lateral; }

 protected:
  // For models built on this lattice (the groups model, docs/groups.md):
  // their phases, called by the step at fixed places (see LatticePhases).
  void set_phases(LatticePhases* phases) { phases_ = phases; }
  // this rank's planes of the lattice (the whole lattice on one rank)
  const Slab& slab() const { return p_.slab; }
  // the sizes of this rank's planes (dims() on one rank)
  Dims slab_dims() const { return {p_.n, p_.n, p_.depth}; }
  // Runs a load's checks: a failure on any rank throws the first rank's
  // StateError on every rank (a load is collective: no rank may go on alone).
  void agree_on(const std::function<void()>& checks) const;
  // Where a registered field lives over the ranks (core/slab_hash.hpp):
  // the readout's weights on the last rank, the frame bookkeeping alike on
  // every rank, the per-neuron arrays split along z. One rule for the
  // checkpoint's split (state_split) and the hash (state_hash).
  int field_home(std::string_view name, FieldRole role) const;
  ThreadPool& pool() { return pool_; }
  std::vector<float>& lattice_weights(int direction) {
    settle();
    return st_.w[static_cast<std::size_t>(direction)];
  }
  // Lattice links exist only across every p-th plane of each axis (p = 1:
  // all of them). STDP never touches a link that does not exist, so its
  // weight stays 0.
  void set_link_period(int p);
  // STDP traces as they stood before this step's spikes; read them through
  // std::fabs (the pre trace's sign bit may carry the latest spike).
  const float* pre_trace() const { return st_.pre_trace(); }
  const float* post_trace() const { return p_.two_traces ? st_.trace_post.data() : pre_trace(); }

 private:
  struct Injection {
    std::int64_t index;
    float current;
  };
  // One worker's rows [begin, end) and where the currents of its rows wait
  // between the gather and the integration. Rows [begin, head_end) and
  // [tail_begin, end) are read by a neighbouring worker's deferred STDP, so
  // they are integrated after the barrier (finish_part); the rows between are
  // integrated n rows behind the gather, in a ring of ring_rows rows.
  struct Part {
    std::int64_t begin = 0, end = 0, head_end = 0, tail_begin = 0, ring_rows = 0;
    std::vector<float> head, tail, ring;
    float* currents(std::int64_t row, std::int64_t n);
  };
  struct Kernel;  // the integration kernel of this step and its arguments (cube_model.cpp)
  // A neuron that spiked, as a candidate of k-winners-take-all.
  struct Candidate {
    std::int64_t unit, index;
    float score, v, theta;  // v/theta; the potential integrated; the threshold state before the step
  };

  // The phases (in step order; see phase_names() and docs/architecture.md).
  void drive_input(const StepInput& in);
  void neural_step(std::int64_t neural_step);
  void group_currents();
  void lateral_currents();
  void inhibition();
  void lattice_pass(std::int64_t neural_step);
  void deferred_stdp(std::int64_t r0, std::int64_t r1, float* c, bool& summed);
  void gather(std::int64_t r0, std::int64_t r1, float* c, bool summed);
  void add_input(std::int64_t r0, std::int64_t r1, float* c);
  void integrate(std::int64_t r0, std::int64_t r1, const float* c, int worker, const Kernel& k);
  void winners();
  void lateral_plasticity();
  void group_plasticity();
  void tally_spikes();
  void readout(const StepInput& in);
  void metrics(const StepInput& in);
  std::pair<std::int64_t, std::int64_t> focus_hits() const;

  // The halo (core/cube_halo.cpp): after a neural step's spikes are final,
  // its first and last plane's spikes and pre traces go to the neighbouring
  // ranks, which receive them into the padding next to their slab
  // (start_halo); the next pass (or settle) waits for them (finish_halo).
  void start_halo();
  void finish_halo() const;
  // The spike counts of rows [r0, r1) of the latest spikes (the halo's rows
  // too: -n .. 0 and rows .. rows + n), which the STDP's skip test and the
  // tallies read.
  void count_row_spikes(std::int64_t r0, std::int64_t r1) const;

  // how the lattice pass runs the per-block phases over a worker's rows
  void make_parts();
  void pass_part(int worker, const Kernel& k);
  void finish_part(int worker, const Kernel& k);
  // pending STDP of the spikes in spk[buffer] on rows [r0, r1), within one
  // plane; with c, possibly also the rows' currents (true when summed)
  bool stdp_rows(std::int64_t r0, std::int64_t r1, int buffer, float* c) const;
  bool stdp_links(std::int64_t r0, std::int64_t r1, int buffer, float* c) const;
  void normalize_rows(std::int64_t r0, std::int64_t r1) const;
  void record_initial_sums();
  // the layer (inhibition.kind = layer) or group of neuron i
  std::int64_t unit_of(std::int64_t i) const;
  void note_candidates(const NeuronParams& np, std::uint32_t noise_key, const float* c, std::int64_t b, std::int64_t e,
                       const std::vector<float>& old, std::vector<Candidate>& out) const;
  // applies the pending STDP of the latest step, if any
  void settle() const;
  void push_history(std::span<const Point> points);
  // the field list of the whole model: lattice, phases, readout
  FieldList field_list() const;
  void check_loaded(const FieldList& fields, const StateArchive& a) const;

  LatticeParams p_;
  RankComm* comm_;
  // mutable for settle(): a const read of the weights applies the pending
  // STDP first
  mutable LatticeState st_;
  LatticePhases* phases_ = nullptr;   // the groups model's phases, or none
  std::unique_ptr<Readout> readout_;  // null when readout.enabled = false
  std::int64_t readout_first_ = 0;    // index of the first readout neuron
  std::int64_t history_frames_ = 1;   // input frames kept for focus_lagged

  // per-step working arrays (not state: rebuilt or cleared every step)
  std::int64_t block_rows_ = 1;    // rows per block of the pass: divides n, so no block straddles a plane
  std::vector<std::uint8_t> bad_;  // per worker: a non-finite potential was seen
  std::vector<Part> parts_;        // per worker
  Frame drive_;                    // n*n: pixels of face z = 0 driven this frame (patch dilated)
  bool drive_any_ = false;
  const float* extra_current_ = nullptr;  // this step's current from the phases (N), or null
  std::vector<Injection> injected_;
  LateralLinks lateral_;                // layout of st_.w_lateral
  std::vector<float> lateral_current_;  // N: this step's current of the lateral links (lateral layers only)
  std::vector<float> w_sum0_;           // stdp.normalize: each neuron's initial in-link sum (from the seed: not saved)
  std::vector<std::uint8_t> ones_;      // an all-ones link mask of one block (dense z directions beside sparse ones)
  bool inhibit_on_ = false;
  std::vector<float> inhibit_;                      // this step's inhibitory current per layer or group
  std::vector<std::vector<Candidate>> candidates_;  // per worker: this step's k-WTA candidates
  std::vector<std::vector<float>> scratch_;         // per worker: potentials and thresholds before the step
  std::vector<std::int64_t> history_next_;          // push_history's second buffer
  std::vector<std::size_t> frame_at_;               // where each frame of st_.history starts, newest first
  bool readout_on_ = false;                         // readout.enabled (readout_ is held by the last rank only)
  std::int64_t local_spikes_ = 0;                   // spikes of the latest step in this rank's slab
  std::vector<std::int64_t> plane_spikes_;          // spikes of the latest step per global plane (all ranks)
  std::vector<std::int64_t> tally_;                 // metrics()' sums over the ranks
  bool nonfinite_ = false;                          // a non-finite potential on any rank
  mutable std::vector<RankComm::Request> halo_;     // the halo transfers in flight
  std::int64_t halo_bytes_ = 0;
  mutable double halo_wait_s_ = 0.0;
  std::vector<std::int32_t> active_;                // readout sources that spiked this frame
  std::vector<std::uint8_t> seen_;                  // per readout source: already in active_
  ThreadPool pool_;
};

// The benchmark scenario of docs/cube.md (the Brian2 peer's parameters):
// rho 0.9, b 0.05, noise 0.2, fixed threshold 1.0, reset 0, refractory 3,
// weights U(0.08, 0.12), w_max 0.25, input gain 2, STDP tau 20,
// A+ 0.0025, A- 1.05 A+, isotropic, moving dot input.
Config cube_benchmark_config(int n, int depth, int threads);

}  // namespace spikecube
