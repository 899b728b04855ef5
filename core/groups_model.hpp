#pragma once
// The groups model ("groups", docs/groups.md): the n x n x L cube
// of the cube model, divided into sub-cubes ("groups") of g x g x g neurons
// (g divides n and L; Config validation rejects anything else). Group
// (gx, gy, gz) holds the neurons with x / g == gx, y / g == gy, z / g == gz.
//
// Links:
//   * Inside a group every neuron has a directed, plastic link to every other
//     neuron of the group: G (G - 1) links per group, G = g^3, stored as a
//     dense G x G block per group with an unused, always-zero diagonal.
//   * Between groups, only the lattice links of the cube (docs/cube.md) that
//     cross a group face exist. A lattice link whose two ends lie in the same
//     group does not exist in this model (the group's block already links the
//     pair): its weight is 0 from the start and stays 0, so it carries no
//     current and takes no part in learning. (The lattice's link masks say
//     so: CubeModel::set_link_period(g) leaves links only across every g-th
//     plane, and the lattice STDP never touches any other.)
//   With g = 1 every group is one neuron, there are no intra-group links and
//   every lattice link crosses a group face: the model is then the cube, spike
//   for spike and weight for weight (state_hash() equals the cube's).
//
// Intra-group weights use the 1/g^3 scale of docs/groups.md over their whole
// range, with G = g^3 and u ~ U(0, 1) from Stream::kInitGroups keyed by
// (seed, group index) and indexed by the link's position j*G + i in the block:
//   initial weight   w_ij(0) = min(w_init_lo + (w_init_hi - w_init_lo) u, w_max) / G
//   bound            [0, w_max / G]
//   STDP step        A+ / G and A- / G (otherwise the lattice's pair STDP,
//                    core/lattice_stdp.hpp, with all its options: traces,
//                    nearest, multiplicative, decay)
// So an intra-group weight measured in units of 1/G behaves exactly as a
// lattice link does, and the whole group can drive one neuron by at most
// group_gain * w_max * (G - 1) / G, about one saturated lattice link times
// lattice.group_gain. The per-direction gains and learning-rate factors
// (lattice.gain_*, lattice.lr_*) apply to the lattice links only.
//
// Current of neuron i (fixed order, as the cube): lattice links in the
// direction order xp, xm, yp, ym, zp, zm, then the input, then
//   group_gain * (sum over the spiking sources j of i's group, in ascending
//                 local index j, of w_ji)
// where the local index of (x, y, z) in its group is
// ((z % g)*g + (y % g))*g + (x % g). The sum is computed per group, so it is
// bit-identical for any thread count.
//
// STDP on intra-group links is event-driven like the cube's: a link changes
// only when its source or its target spiked; a spiking target updates all its
// in-links (potentiation, plus depression where the source spiked too), a
// spiking source updates its out-links whose target did not spike
// (depression). Every link is written in exactly one place per step, and all
// of a group's links by the worker that owns the group.
//
// Storage: one G x G block per group, G floats = 4 g^3 bytes per neuron (256
// for g = 4) on top of the cube's state, plus one float of intra-group current
// per neuron. A block is cut into T x T tiles of T sources by T targets (T = 4
// when 4 divides G, else 1), each tile 16 floats = one 64-byte cache line:
// tile (j / T, i / T) sits at ((j / T)*(G / T) + i / T)*T*T and the link
// j -> i at (j % T)*T + i % T inside it (intra_index()). A source's out-links
// (its current, its depression) and a target's in-links (its potentiation)
// then each touch G / 4 cache lines, where a plain row- or column-major block
// makes one of the two touch G lines: the blocks (28 MB at 48^3, g = 4) do
// not stay in cache, so lines touched is what the step costs.
//
// The intra-group current of the coming step is computed at the end of the
// STDP pass, while the group's block is in cache (weights as they stand after
// this step's STDP, which is what the next step's current reads); when STDP
// is off, after a load or after a parameter change it is computed before the
// step's currents instead. Both give the same numbers.
//
// The model is the cube's lattice plus two phases of its step (LatticePhases,
// core/lattice.hpp): group_currents (the intra-group current, and the weight
// decay of the blocks) before the lattice pass, and group_plasticity (the
// intra-group STDP) after it.
//
// Threads: the intra-group passes split the groups into fixed contiguous
// ranges, one per worker; the cube's passes split rows as before.

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "core/cube_model.hpp"

namespace spikecube {

// Memory for the weight blocks: 64-byte aligned (a tile of the blocks below
// is one cache line); arrays of 4 MB and more are 2 MB aligned and asked for
// transparent huge pages, since the blocks are visited in no order a 4 kB TLB
// could follow.
void* allocate_weight_blocks(std::size_t bytes);
void free_weight_blocks(void* p, std::size_t bytes);

template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_weight_blocks(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { free_weight_blocks(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
};
using AlignedFloats = std::vector<float, CacheLineAllocator<float>>;

class GroupsModel final : public CubeModel, private LatticePhases {
 public:
  // comm: as CubeModel's; a rank holds whole layers of groups, and the
  // group indices below are its own (group 0: its first group).
  explicit GroupsModel(const Config& cfg, RankComm& comm = single_rank());
  ~GroupsModel() override;

  std::string_view kind() const override { return "groups"; }
  void update_params(const Config& cfg) override;
  void load(const StateArchive& in) override;
  int group_size() const override { return g_; }
  void group_potentials(std::vector<float>& out) const override;

  // Link counts of this geometry, counted from the structure (not from a
  // formula): directed links inside groups, and directed lattice links that
  // cross a group face.
  struct LinkCounts {
    std::int64_t intra = 0;
    std::int64_t inter = 0;
  };
  LinkCounts link_counts() const;

  // Geometry and read access for tests and tools.
  std::int64_t groups() const { return groups_; }
  int group_neurons() const { return static_cast<int>(gsize_); }
  std::int64_t group_of(int x, int y, int z) const;
  int local_index(int x, int y, int z) const { return ((z % g_) * g_ + (y % g_)) * g_ + (x % g_); }
  // Position in intra_weights() (and in the checkpoint array
  // groups.w_intra) of the link from local source j to local target i of
  // group b, and its weight (0 for j == i).
  std::int64_t intra_index(std::int64_t b, std::int64_t j, std::int64_t i) const {
    return b * gsize_ * gsize_ + slot(j, i);
  }
  float intra_weight(std::int64_t b, int j, int i) const {
    return intra_[static_cast<std::size_t>(intra_index(b, j, i))];
  }
  const AlignedFloats& intra_weights() const { return intra_; }
  // Whether the lattice link into (x, y, z) travelling in direction d exists
  // in this model: it has a source, and the source lies in another group.
  bool has_inter_link(int d, int x, int y, int z) const;

 private:
  struct Scratch {  // per worker: G each, and the spike lists of the worker's groups
    std::vector<float> acc, x, y;
    std::vector<std::uint8_t> s;
    std::vector<int> spiking;
    struct Active {
      std::int64_t group;
      std::size_t begin, end;  // its spiking members: all[begin, end)
    };
    std::vector<int> all;
    std::vector<Active> active;
  };
  // LatticePhases: the two phases this model adds to the lattice step
  const float* group_currents() override;
  void group_plasticity() override;
  void fields(FieldVisitor& v) override;
  std::size_t work_bytes() const override;
  void set_intra_rule_from(const Config& cfg);
  void check_groups(const StateArchive& a) const;
  void currents_part(std::int64_t gb, std::int64_t ge, Scratch& w);
  void collect_spikes(std::int64_t b, const std::uint8_t* s, Scratch& w) const;
  void group_current(std::int64_t b, const int* spiking, std::size_t count, Scratch& w);
  void plasticity_part(std::int64_t gb, std::int64_t ge, Scratch& w);
  std::int64_t group_base(std::int64_t b) const;
  std::int64_t slot(std::int64_t j, std::int64_t i) const {
    return ((j / tile_) * tiles_ + i / tile_) * tile_ * tile_ + (j % tile_) * tile_ + i % tile_;
  }

  int g_;                              // group side
  std::int64_t gsize_;                 // G = g^3 neurons per group
  std::int64_t per_axis_, per_depth_;  // groups along x (= along y), groups along z
  std::int64_t groups_;                // this rank's
  std::int64_t first_group_ = 0;       // global index of this rank's group 0 (the seed of its weights)
  std::int64_t side_, plane_;          // n and n*n
  std::vector<std::int64_t> offset_;   // G: global index of local l minus the group's first neuron
  std::int64_t tile_ = 1, tiles_ = 1;  // T (4 when 4 divides G, else 1) and G / T
  AlignedFloats intra_;                // groups_ blocks of G x G weights, tiled (see header)
  std::vector<float> current_;         // intra-group current of each neuron for the step being computed, N
  std::vector<std::uint8_t> driven_;   // per group: current_ holds non-zero values
  LinkRule intra_rule_;
  float group_gain_ = 1.0f;
  float keep_ = 1.0f;           // 1 - stdp.decay
  bool current_valid_ = false;  // current_ already holds the coming step's intra-group current
  std::vector<Scratch> scratch_;
};

}  // namespace spikecube
