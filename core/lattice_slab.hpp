#pragma once
// How a lattice (cube, groups) is split over the ranks of a distributed run:
// into slabs of whole z-planes, as even as possible, rank r holding planes
// [first, first + count). The cuts fall between whole layers of the units
// that must stay on one rank: one plane (cube), one layer of groups (groups
// model, inhibition.kind = "group": g planes). Rank 0 holds the input face
// z = 0; the last rank holds every readout layer (readout.layers), so it
// gets more planes when the even share is too few.

#include "core/config.hpp"
#include "core/rank_comm.hpp"

namespace spikecube {

// The planes rank `rank` of `ranks` holds. Throws ConfigError (one line,
// naming the field and its limit) when the lattice cannot be split so, or
// when the model is not decomposed (the layer model, wider lateral links).
Slab lattice_slab(const Config& cfg, int rank, int ranks);

}  // namespace spikecube
