#pragma once
// The ranks of a distributed run, as the engine sees them. core/ links no
// MPI: the lattice models and the checkpoint code talk to this interface,
// which the mpi/ library implements with Open MPI (MpiComm) and which a
// single process implements trivially (SingleRank). A run without mpirun is
// a run with one rank, through the same code.
//
// Every collective call must be made by every rank, in the same order, with
// the same arguments where an argument says so (root, sizes).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace spikecube {

class RankComm {
 public:
  virtual ~RankComm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Point to point, blocking. tag tells apart transfers between the same two
  // ranks; the bytes must match in size on both sides.
  virtual void send(int to, std::span<const std::byte> data, int tag) = 0;
  virtual void recv(int from, std::span<std::byte> data, int tag) = 0;

  // Point to point, non-blocking: the transfer starts now and is complete
  // once wait_all() has returned for its request; the buffer must stay valid
  // (and a send buffer unchanged) until then. The halo exchange of the
  // lattices overlaps its transfers with the step's other work this way.
  using Request = std::int64_t;
  virtual Request isend(int to, std::span<const std::byte> data, int tag) = 0;
  virtual Request irecv(int from, std::span<std::byte> data, int tag) = 0;
  // Completes the requests (and clears the list).
  virtual void wait_all(std::vector<Request>& requests) = 0;

  // Collectives.
  virtual void barrier() = 0;
  virtual void broadcast(int root, std::span<std::byte> data) = 0;
  // Sums of integers (exact, so the result does not depend on the order).
  virtual void sum(std::span<std::int64_t> values) = 0;
  // Agreement on failure: every rank passes its own error (empty: none) and
  // gets the first non-empty one in rank order, or empty when all are. A run
  // ends on every rank with the same one-line message.
  virtual std::string first_error(const std::string& mine) = 0;

  // Seconds spent so far waiting for transfers and collectives (benchmarks;
  // 0 where not measured).
  virtual double waited_seconds() const { return 0.0; }
  // Ranks that run on this rank's machine (this one included): they share
  // its memory, so each may take only its part of what is available.
  virtual int ranks_on_machine() const { return 1; }
};

// One process, no peers: collectives return their input.
class SingleRank final : public RankComm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void send(int, std::span<const std::byte>, int) override {}
  void recv(int, std::span<std::byte>, int) override {}
  Request isend(int, std::span<const std::byte>, int) override { return 0; }
  Request irecv(int, std::span<std::byte>, int) override { return 0; }
  void wait_all(std::vector<Request>& requests) override { requests.clear(); }
  void barrier() override {}
  void broadcast(int, std::span<std::byte>) override {}
  void sum(std::span<std::int64_t>) override {}
  std::string first_error(const std::string& mine) override { return mine; }
};

// The one SingleRank of a process (it has no state): what a model or a
// Simulation uses when no RankComm is given.
inline RankComm& single_rank() {
  static SingleRank one;
  return one;
}

// The z-planes [first, first + count) of a lattice of `total` planes that
// one rank holds.
struct Slab {
  std::int64_t first = 0, count = 0, total = 0;
  bool whole() const { return first == 0 && count == total; }
};

}  // namespace spikecube
