#pragma once
// The groups model of DESIGN 2.4 ("groups", proposal 2): the n x n x L cube
// of the cube model, divided into sub-cubes ("groups") of g x g x g neurons
// (g divides n and L; Config validation rejects anything else). Group
// (gx, gy, gz) holds the neurons with x / g == gx, y / g == gy, z / g == gz.
//
// Links:
//   * Inside a group every neuron has a directed, plastic link to every other
//     neuron of the group: G (G - 1) links per group, G = g^3, stored as a
//     dense G x G block per group with an unused, always-zero diagonal.
//   * Between groups, only the lattice links of the cube (DESIGN 2.3) that
//     cross a group face exist. A lattice link whose two ends lie in the same
//     group does not exist in this model (the group's block already links the
//     pair): its weight is 0 from the start and stays 0 (see below), so it
//     carries no current and takes no part in STDP.
//   With g = 1 every group is one neuron, there are no intra-group links and
//   every lattice link crosses a group face: the model is then the cube, spike
//   for spike and weight for weight (state_hash() equals the cube's).
//
// Intra-group weights use the 1/g^3 scale of DESIGN 2.4 over their whole
// range, with G = g^3 and u ~ U(0, 1) from Stream::kInitGroups keyed by
// (seed, group index) and indexed by the link's position j*G + i in the block:
//   initial weight   w_ij(0) = min(w_init_lo + (w_init_hi - w_init_lo) u, w_max) / G
//   bound            [0, w_max / G]
//   STDP step        A+ / G and A- / G (otherwise the rule of DESIGN 2.5 with
//                    all its options: traces, nearest, multiplicative, decay)
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
// Storage: block b holds w[b][j*G + i] = weight of the link from local j to
// local i (by source: the current of a spike is one contiguous column, and so
// is a source's depression; a target's potentiation walks a row with stride
// G, which stays in L1 for g <= 4). That is G floats = 4 g^3 bytes per neuron
// (256 for g = 4) on top of the cube's state, plus one float of intra-group
// current per neuron.
//
// Threads: the intra-group passes split the groups into fixed contiguous
// ranges, one per worker; the cube's passes split rows as before.

#include <cstdint>
#include <vector>

#include "core/cube_model.hpp"

namespace spikecube {

class GroupsModel final : public CubeModel {
 public:
  explicit GroupsModel(const Config& cfg);
  ~GroupsModel() override;

  std::string_view kind() const override { return "groups"; }
  void update_params(const Config& cfg) override;
  void save(StateArchive& out) const override;
  void load(const StateArchive& in) override;
  std::uint64_t state_hash() const override;
  std::size_t state_bytes() const override;
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
  // Weight of the intra-group link from local source j to local target i of
  // group b (0 on the diagonal).
  float intra_weight(std::int64_t b, int j, int i) const {
    return intra_[static_cast<std::size_t>((b * gsize_ + j) * gsize_ + i)];
  }
  const std::vector<float>& intra_weights() const { return intra_; }
  // Whether the lattice link into (x, y, z) travelling in direction d exists
  // in this model: it has a source, and the source lies in another group.
  bool has_inter_link(int d, int x, int y, int z) const;

 private:
  struct Scratch {  // per worker, G each
    std::vector<float> acc, x, y;
    std::vector<std::uint8_t> s;
    std::vector<int> spiking;
  };
  void before_currents() override;
  void after_plasticity() override;
  void set_intra_rule_from(const Config& cfg);
  void currents_part(std::int64_t gb, std::int64_t ge, Scratch& w);
  void collect_spikes(std::int64_t b, const std::uint8_t* s, Scratch& w) const;
  void group_current(std::int64_t b, Scratch& w);
  void plasticity_part(std::int64_t gb, std::int64_t ge, Scratch& w);
  std::int64_t group_base(std::int64_t b) const;

  int g_;                              // group side
  std::int64_t gsize_;                 // G = g^3 neurons per group
  std::int64_t per_axis_, per_depth_;  // groups along x (= along y), groups along z
  std::int64_t groups_;
  std::int64_t side_, plane_;          // n and n*n
  std::vector<std::int64_t> offset_;   // G: global index of local l minus the group's first neuron
  std::vector<float> intra_;           // groups_ blocks of G x G weights, by source (see header)
  std::vector<float> current_;         // intra-group current of each neuron for the step being computed, N
  std::vector<std::uint8_t> driven_;   // per group: current_ holds non-zero values
  LinkRule intra_rule_;
  float group_gain_ = 1.0f;
  float keep_ = 1.0f;                  // 1 - stdp.decay
  bool current_valid_ = false;         // current_ already holds the coming step's intra-group current
  std::vector<Scratch> scratch_;
};

}  // namespace spikecube
