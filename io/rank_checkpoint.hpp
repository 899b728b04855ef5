#pragma once
// Checkpoints of a Simulation whose lattice is split over ranks (mpirun):
// the one file of checkpoint.hpp, written from every rank's slab through
// rank 0 (write_archive_slabs) and read back cut to this rank's planes
// (read_archive_slab), so a checkpoint written at R ranks resumes at any
// other number of ranks, or in one process (the GUI), bit for bit.
//
// Every function is collective (every rank calls it, with its own part of
// the same run) and, on any rank's failure, throws the same CheckpointError
// on every rank. With one rank they are the functions of checkpoint.hpp.

#include <memory>
#include <string>

#include "core/rank_comm.hpp"
#include "core/simulation.hpp"

namespace spikecube::io {

void save_checkpoint(const std::string& path, const Simulation& sim, RankComm& comm);
// sim's config must describe the checkpoint's model and sizes.
void load_checkpoint(const std::string& path, Simulation& sim, RankComm& comm);
// A Simulation over comm's ranks from the checkpoint's own config.
std::unique_ptr<Simulation> open_checkpoint(const std::string& path, RankComm& comm);

}  // namespace spikecube::io
