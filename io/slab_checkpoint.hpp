#pragma once
// Checkpoints of a run split over ranks (z-slabs of the lattice): still one
// file in the checkpoint format of checkpoint.hpp, so a checkpoint written by
// R ranks is read by read_archive (one process, the GUI) and by
// read_archive_slab on any other number of ranks.
//
// Why through rank 0 and not parallel HDF5 or MPI-IO: Debian's serial HDF5
// stays the only HDF5 (the GUI, the Python module and h5py keep working with
// the same library), the file is byte for byte what a one-process run
// writes, and a checkpoint is written rarely, so its time is not worth a
// second HDF5 build. Memory stays bounded: rank 0 holds at most one piece of
// one slab of one array at a time (whole planes, up to kSlabPieceBytes),
// never the lattice.

#include <cstdint>
#include <map>
#include <string>

#include "core/rank_comm.hpp"
#include "core/state_archive.hpp"
#include "io/checkpoint.hpp"

namespace spikecube::io {

// How one rank's StateArchive maps onto the one-file checkpoint.
struct SlabLayout {
  Slab slab;                                      // this rank's planes of the lattice
  std::map<std::string, std::int64_t> per_plane;  // arrays split along z: elements per global plane
  std::map<std::string, int> owner;               // arrays that only one rank holds (e.g. the readout's)
};                                                // every other array is the same on every rank (rank 0's is written)

// The largest piece of a slab sent to rank 0 in one message (whole planes,
// at least one).
inline constexpr std::int64_t kSlabPieceBytes = std::int64_t{64} << 20;

// Collective: every rank calls it with its local archive and layout (the
// same per_plane and owner maps on every rank, slabs that tile the lattice).
// Rank 0 writes the file atomically; the content equals write_archive of the
// whole archive (split arrays joined in plane order, owned arrays from their
// owner, the rest from rank 0). Any failure on any rank throws the same
// CheckpointError on every rank, and then no file is written (an existing
// one is left untouched).
void write_archive_slabs(const std::string& path, const StateArchive& local, const SlabLayout& layout, RankComm& comm);

// This rank's part of a checkpoint: split arrays cut to the slab's planes
// (only those planes are read), every other array whole. Verifies the file
// as read_archive does (streaming its checksum). Throws CheckpointError.
StateArchive read_archive_slab(const std::string& path, const SlabLayout& layout);

}  // namespace spikecube::io
