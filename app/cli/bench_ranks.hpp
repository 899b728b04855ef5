#pragma once
// The lattice benches under mpirun (bench_ranks.cpp).

#include "app/cli/bench_command.hpp"
#include "app/cli/bench_record.hpp"
#include "core/rank_comm.hpp"

namespace spikecube::cli {

// `bench --model cube|groups` (one size) or `--model cube --scaling` with
// the lattice split over comm's ranks; every rank calls it, rank 0 prints
// and adds the rows (with their per-rank figures) to fig.
int bench_lattice_ranks(const BenchOptions& opt, RankComm& comm, JsonObject& fig);

}  // namespace spikecube::cli
