#pragma once
// The lattice models (cube, groups) split into what a step reads and what it
// changes:
//   LatticeParams  everything derived from the config and the geometry, built
//                  once; immutable between steps, rebuilt as a whole by a
//                  live parameter change (CubeModel::update_params)
//   LatticeState   the structure of arrays a step changes, each array
//                  registered once in LatticeState::fields() (the checkpoint,
//                  the hash and the byte count come from that list)
//   LatticePhases  the phases a model built on the lattice adds to the step
//                  (the groups model's intra-group links), called by the
//                  step at fixed places
// The step itself (the phases in order) is CubeModel::step; the order is
// described once, in docs/architecture.md.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/config.hpp"
#include "core/frame.hpp"
#include "core/lattice_stdp.hpp"
#include "core/neuron_rule.hpp"
#include "core/rank_comm.hpp"
#include "core/state_fields.hpp"

namespace spikecube {

// Directions of travel of a link's spikes; the source of w[d][i] is the
// neighbour of i on the opposite side.
enum LatticeDirection : int {
  kLatticeXp = 0,
  kLatticeXm,
  kLatticeYp,
  kLatticeYm,
  kLatticeZp,
  kLatticeZm,
  kLatticeDirections
};
// "xp", "xm", ...: the suffix of the direction's checkpoint array cube.w_*
const char* lattice_direction_name(int d);

// The rules of one layer z (the global config with the [[override]] tables
// that cover z, and the bias profile): its neurons', and those of the
// lattice links whose target is in z.
struct PlaneRules {
  NeuronParams neuron;
  std::array<float, kLatticeDirections> gain{};
  std::array<LinkRule, kLatticeDirections> rule{};
  std::array<double, kLatticeDirections> density{};
  double w_max = 1.0;  // the initial weights' clip
  bool plastic = true;
  int lateral_radius = 0;  // wider lateral links (core/lateral_links.hpp)
  float lateral_gain = 1.0f;
  LinkRule lateral_rule{};  // the layer's STDP, without a direction's rate factor
};

struct LatticeParams {
  // geometry, fixed for the model's life: n x n x depth neurons, rows (z, y).
  // In a run over several ranks (core/lattice_slab.hpp) these are the
  // slab's: this rank holds the global planes [slab.first, slab.first +
  // depth), local index = global index - first_index; everything that
  // depends on the position in the lattice (link masks, rules, seeds) is
  // taken at the global position.
  int n = 0, depth = 0;
  std::int64_t nn = 0, count = 0, rows = 0;
  Slab slab;                          // whole lattice: {0, depth, depth}
  std::int64_t first_index = 0;       // global index of local neuron 0
  bool below = false, above = false;  // another rank holds the plane below (above) the slab
  // Lattice links exist only across every link_period-th plane of each axis
  // (1: all of them; the groups model has none inside a g x g x g group).
  int link_period = 1;
  std::array<std::vector<std::uint8_t>, 4> plane_links;  // kXp..kYm, per (x, y): 1 where the in-link exists
  std::vector<std::uint8_t> z_links;                     // per z: bit d set when the in-links of direction d (z) exist
  // lattice.density_* < 1 for direction d in some layer: per neuron, 1 where
  // its in-link of direction d exists (the masks above included); else
  // empty. Drawn from the seed (Stream::kLinkMask), never saved.
  std::array<std::vector<std::uint8_t>, kLatticeDirections> sparse;

  // rules: per layer z (plane[z], which the step reads: the neuron rule,
  // link gains and STDP per direction), what holds for every layer, input.
  // neuron is the global neuron rule: its threshold rule is the model's.
  std::vector<PlaneRules> plane;
  bool any_refractory = false, any_noise = false, any_plastic = true, any_lateral = false;
  NeuronParams neuron;
  float decay_plus = 1.0f, decay_minus = 1.0f;  // per-step decay of the pre and post traces
  bool two_traces = false;                      // tau_plus != tau_minus: pre and post traces differ
  bool nearest = false;                         // nearest-spike traces
  bool plastic = true;
  bool weight_decay = false;  // stdp.decay > 0
  float weight_keep = 1.0f;   // 1 - stdp.decay
  float input_gain = 0.0f;
  int patch_radius = 0;
  int substeps = 1;
  std::uint64_t seed = 0;
  bool normalize = false;  // stdp.normalize
  enum class Inhibition : std::uint8_t { kNone, kLayer, kGroup } inhibition = Inhibition::kNone;
  float inhibition_gain = 0.0f;
  std::int64_t inhibition_k = 0;
  int group = 1;  // side of an inhibition group

  // slab: the planes this rank holds (default: all of them)
  static LatticeParams from(const Config& cfg, int link_period, Slab slab = {});
  // Rebuilds the link masks for links across every p-th plane only.
  void set_link_period(int p);
  // Whether the link into (x, y, z) (z local) travelling in direction d has
  // a source in the whole lattice.
  bool has_link(int d, int x, int y, int z) const;
  // Whether the in-link of direction d of neuron i exists: on the lattice,
  // across a linked plane, and kept by the density mask.
  bool link_exists(int d, std::int64_t i) const;
  std::int64_t index(int x, int y, int z) const { return (static_cast<std::int64_t>(z) * n + y) * n + x; }
};

struct LatticeState {
  // link weights by target, one per direction, N each (w[kXp][i] is the
  // link from (x-1, y, z) into i); links that would leave the lattice hold 0
  std::array<std::vector<float>, kLatticeDirections> w;
  std::vector<float> w_lateral;  // the wider lateral links (LateralLinks), empty without them
  std::vector<float> v;          // membrane potential, N
  std::vector<float> theta;      // homeostatic: threshold; adaptive: adaptation a; fixed: empty
  std::vector<float> trace_pre;  // STDP pre trace x, N plus tpad each side; its sign bit is the latest spike
  std::int64_t tpad = 0;
  std::vector<float> trace_post;                        // STDP post trace y, N; empty when tau_plus == tau_minus
  std::vector<std::uint8_t> refr;                       // refractory steps left, N; empty when refractory = 0
  std::array<std::vector<std::uint8_t>, 2> spk;         // spikes of this and the last step, N plus padding
  std::int64_t pad = 0;                                 // padding bytes before and after each spike array
  int cur = 0;                                          // spk[cur] holds the latest step's spikes
  std::array<std::vector<std::int32_t>, 2> row_spikes;  // spikes per row (z, y) of spk[0] and spk[1], row_pad each side
  std::int64_t row_pad = 0;  // n rows: a neighbouring rank's plane next to the slab (0 without one)
  bool stdp_pending = false;                            // the latest step's STDP is still to be applied
  std::int64_t last_spikes = 0;                         // spikes of the latest step

  Frame output;                       // the readout's prediction of the last frame
  std::vector<std::int64_t> history;  // input points of past frames, newest first: per frame a count, then x, y pairs
  std::array<std::int64_t, 2> counters{};  // frames stepped, frames in a row with runaway firing
  std::array<double, 2> focus{};           // focus and focus_lagged of the last frame

  std::int64_t& frames() { return counters[0]; }
  std::int64_t frames() const { return counters[0]; }
  std::int64_t& runaway_frames() { return counters[1]; }
  std::int64_t runaway_frames() const { return counters[1]; }
  const std::uint8_t* spikes() const { return spk[static_cast<std::size_t>(cur)].data() + pad; }
  std::uint8_t* spikes() { return spk[static_cast<std::size_t>(cur)].data() + pad; }
  const float* pre_trace() const { return trace_pre.data() + tpad; }
  float* pre_trace() { return trace_pre.data() + tpad; }
  // spikes per row of spk[buffer], local row 0 first (ghost rows at -n..-1
  // and rows..rows+n-1)
  const std::int32_t* row_counts(int buffer) const {
    return row_spikes[static_cast<std::size_t>(buffer)].data() + row_pad;
  }
  std::int32_t* row_counts(int buffer) { return row_spikes[static_cast<std::size_t>(buffer)].data() + row_pad; }

  // Every array of the state, once: name (the checkpoint's), data, role. The
  // order is the order of state_hash(). count: neurons N.
  void fields(FieldVisitor& v, std::int64_t count);
};

// Phases that a model built on the lattice adds to the lattice step. The step
// calls them at fixed places (CubeModel::group_currents and
// CubeModel::group_plasticity); they read the lattice through CubeModel's
// accessors and keep their own state.
class LatticePhases {
 public:
  virtual ~LatticePhases() = default;
  // Before the lattice pass (spikes() still holds the last step's spikes):
  // the current each neuron receives this step on top of the lattice and the
  // input, N floats, or null for none.
  virtual const float* group_currents() = 0;
  // After the lattice pass, when stdp.plastic (spikes() holds this step's
  // spikes; pre_trace()/post_trace() the traces before them).
  virtual void group_plasticity() = 0;
  // The phases' state arrays, appended to the lattice's field list.
  virtual void fields(FieldVisitor& v) = 0;
  // Bytes of per-step working arrays that are not state (state_bytes()).
  virtual std::size_t work_bytes() const = 0;
};

}  // namespace spikecube
