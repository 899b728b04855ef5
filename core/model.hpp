#pragma once
// The interface every network model implements (layer, cube, groups). The
// Simulation owns the stimulus, the input switch and the metrics, and drives a
// Model one frame at a time; a model owns its neurons, links and readout.
//
// Each model's step() calls its phases in a fixed order (so that results are
// reproducible), one named function each; docs/architecture.md lists them
// (the lattices' CubeModel::phase_names(), the layer's
// LayerModel::phase_names()).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/frame.hpp"
#include "core/rank_comm.hpp"
#include "core/state_archive.hpp"
#include "core/state_fields.hpp"

namespace spikecube {

struct StepInput {
  std::int64_t step = 0;                // 1-based step number
  const Frame* input = nullptr;         // n*n, 0/1: what the network sees
  const Frame* target = nullptr;        // n*n, 0/1: what the readout should predict
  std::span<const Point> input_points;  // lit objects of *input (for focus)
  bool input_on = true;
  bool learn = true;  // false while replaying from memory: the readout does not learn
};

// Lattice dimensions of the hidden population (layer model: nz = 1).
struct Dims {
  int nx = 0, ny = 0, nz = 0;
  std::int64_t count() const { return static_cast<std::int64_t>(nx) * ny * nz; }
};

enum class Health { kOk, kNonFinite, kRunaway };

// Where the arrays of a model's save() lie when the model is split over
// ranks (a lattice in slabs of z-planes): what a distributed checkpoint
// needs to write one file from every rank's archive, or to read a rank's
// part of one. Arrays in neither map are the same on every rank.
struct StateSplit {
  Slab slab;                                      // this rank's planes
  std::map<std::string, std::int64_t> per_plane;  // arrays split along z: elements per plane
  std::map<std::string, int> owner;               // arrays that only one rank holds
};

// What a viewer needs of the hidden population at one step. Filled on the
// simulation thread into a buffer the viewer does not touch until it is swapped.
struct NeuronView {
  Dims dims;
  int stride = 1;                    // sub-sampling: every stride-th neuron per axis
  std::vector<float> potential;      // v / theta per shown neuron (1 = at threshold)
  std::vector<std::uint8_t> spiked;  // 1 where the neuron spiked this step
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view kind() const = 0;
  virtual Dims dims() const = 0;

  // Advances one input frame (model-internal substeps included) and writes
  // the readout's prediction for in.target into output().
  virtual void step(const StepInput& in) = 0;
  virtual const Frame& output() const = 0;

  // Fraction of hidden neurons that spiked in the last step.
  virtual double firing_rate() const = 0;
  // Extra per-step metrics (e.g. focus); names fixed for the model's lifetime.
  virtual std::vector<std::string> extra_metric_names() const { return {}; }
  virtual void extra_metrics(std::vector<double>& out) const { out.clear(); }
  // Firing rate per layer z (empty for single-layer models).
  virtual void layer_rates(std::vector<double>& out) const { out.clear(); }

  // Re-reads the live parameters (ParamSpec::live) from cfg between steps.
  virtual void update_params(const Config& cfg) = 0;

  virtual Health health() const = 0;

  virtual void view(NeuronView& out, int max_neurons) const = 0;

  // Full state for checkpoints; load() throws StateError on mismatch and
  // leaves the model unchanged in that case.
  virtual void save(StateArchive& out) const = 0;
  virtual void load(const StateArchive& in) = 0;
  // How save()'s arrays split over the ranks (one rank: nothing is split).
  virtual StateSplit state_split() const { return {{0, 1, 1}, {}, {}}; }

  // Hash of the whole state (every registered field, as saved), for
  // determinism tests.
  virtual std::uint64_t state_hash() const = 0;

  // Calls v once for every state array, in the order of state_hash(): the one
  // list that save(), load(), state_hash() and state_bytes() are generated
  // from (core/state_fields.hpp). Call state_hash() or save() first on a
  // lattice model: they apply its pending STDP, which this does not.
  virtual void visit_state(FieldVisitor& v) = 0;

  // Bytes of per-step state (neurons and links, not the readout), for the
  // bytes-per-neuron figure of the benchmarks; 0 when a model does not say.
  virtual std::size_t state_bytes() const { return 0; }

  // All-to-all groups (groups model, docs/groups.md): the side g of a group, or 0
  // when the model has no groups. Group (gx, gy, gz) holds the neurons with
  // x / g == gx, y / g == gy, z / g == gz; its index is (gz*(nx/g) + gy)*(nx/g) + gx.
  // A viewer draws group boundaries at the multiples of g on each axis.
  virtual int group_size() const { return 0; }
  // Mean of v / theta (1 = at threshold, as NeuronView::potential) over each
  // group, one value per group in group index order; empty without groups.
  // Reads the live state: call it on the simulation thread (e.g. when filling
  // a snapshot), like view().
  virtual void group_potentials(std::vector<float>& out) const { out.clear(); }
};

// comm: the ranks a lattice model is split over (one: the whole model here);
// every rank calls it. The layer model runs on one rank only.
std::unique_ptr<Model> make_model(const Config& cfg, RankComm& comm = single_rank());

}  // namespace spikecube
