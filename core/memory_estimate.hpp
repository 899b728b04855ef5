#pragma once
// How much memory a model of a config will take, computed from the config
// alone, before anything is allocated. The lattice figure is the one
// `spikecube-cli bench` reports as bytes/neuron (Model::state_bytes) times the
// neuron count; the readout matrix and the per-thread buffers are added.
// Creating a model that does not fit in the memory available is refused with
// a ConfigError that names the figure and the key to change, instead of an
// allocation failure half way through.

#include <cstdint>
#include <string>

#include "core/config.hpp"
#include "core/rank_comm.hpp"

namespace spikecube {

struct MemoryEstimate {
  double neurons = 0;
  double lattice_bytes = 0;  // per-neuron state: weights, potentials, thresholds, traces, spikes
  double readout_bytes = 0;  // the readout matrix (and its mask), dense
  double other_bytes = 0;    // group blocks, per-thread row buffers, program and libraries
  double total() const { return lattice_bytes + readout_bytes + other_bytes; }
  std::string largest_key;  // what to change when it does not fit, e.g. "lower model.n"
};

MemoryEstimate estimate_memory(const Config& cfg);
// What one rank of a distributed run holds: the slab's share of the lattice
// (and of the groups' blocks), the readout only on the rank with the last
// plane.
MemoryEstimate estimate_memory(const Config& cfg, const Slab& slab);

// Bytes this process can still allocate: MemAvailable of /proc/meminfo
// (divided among `sharing` processes that share the machine), or less under
// an address-space limit (ulimit -v, per process). Negative: unknown.
double available_memory(int sharing = 1);

// Throws ConfigError when estimate_memory(cfg) exceeds available_memory().
void check_memory(const Config& cfg);
// The same for one rank holding `slab`, of `on_machine` ranks sharing this
// machine's memory (each may take 1 / on_machine of what is available).
void check_memory(const Config& cfg, const Slab& slab, int on_machine);

// "2.3 GB", "512 MB", ...
std::string format_bytes(double bytes);

}  // namespace spikecube
