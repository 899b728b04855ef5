#pragma once
// spikecube::mpi: the ranks of a run started by mpirun, through Open MPI.
// core/ never links MPI; it talks to RankComm (core/rank_comm.hpp), which
// MpiComm implements here. A program holds one MpiSession for its lifetime:
// under mpirun it initialises MPI and its comm() is an MpiComm over
// MPI_COMM_WORLD; started without mpirun it touches no MPI at all and its
// comm() is one rank (single_rank()), so the same binary runs as before.
//
// No rank waits forever: every wait polls its transfer and gives up after
// the timeout (a rank that died or hangs), with one line on stderr and
// MPI_Abort, which ends every rank.

#include <memory>
#include <string>
#include <vector>

#include "core/rank_comm.hpp"

namespace spikecube::mpi {

// Whether mpirun started this process (Open MPI sets OMPI_COMM_WORLD_SIZE,
// PMIx launchers PMIX_RANK).
bool launched_by_mpirun();

// The timeout's default, seconds: SPIKECUBE_MPI_TIMEOUT if set, else 60.
double default_timeout();

class MpiComm;

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  bool active() const { return comm_ != nullptr; }
  RankComm& comm();
  // Seconds any wait may take before the run is aborted (> 0).
  void set_timeout(double seconds);

 private:
  std::unique_ptr<MpiComm> comm_;
};

}  // namespace spikecube::mpi
