#pragma once
// What rank 0 needs to know about the other ranks' slabs to assemble one
// file from them (slab_checkpoint.cpp, slab_recording.cpp). Internal to
// spikecube_io.

#include <string>
#include <vector>

#include "core/rank_comm.hpp"

namespace spikecube::io::detail {

// Collective. On rank 0: every rank's slab, by rank; on the others: only
// their own (the rest left empty).
std::vector<Slab> gather_slabs(const Slab& mine, RankComm& comm, int tag);
// The first problem with slabs that should cover planes [0, total) once
// each (empty: none). Ranks without planes may start anywhere.
std::string check_tiling(const std::vector<Slab>& slabs);
// The ranks that hold planes, in plane order.
std::vector<int> plane_order(const std::vector<Slab>& slabs);

}  // namespace spikecube::io::detail
