#pragma once
// state_hash() of a lattice split over ranks, equal to the hash of the whole
// lattice in one process. hash_bytes (core/readout.hpp) mixes 8 bytes at a
// time and the last few one by one, so a field hashed slab by slab gives the
// hash of the whole field only when the words that straddle two slabs are
// carried over: StreamHash does that, and equals hash_bytes over the
// concatenation of everything added.
//
// Across ranks the running hash itself travels (24 bytes), not the slabs:
// each rank adds its slab in rank order and passes the hash on, so no rank
// ever holds another's state and the traffic is a few bytes per field.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/rank_comm.hpp"
#include "core/state_fields.hpp"

namespace spikecube {

class StreamHash {
 public:
  explicit StreamHash(std::uint64_t h = 0) : h_(h) {}
  void add(const void* data, std::size_t size);
  // The hash of everything added (the partial word mixed in byte by byte,
  // as hash_bytes ends), and a fresh start from it for the next field.
  std::uint64_t finish();

 private:
  friend std::uint64_t slab_state_hash(const FieldList&, RankComm&, std::uint64_t,
                                       const std::function<int(std::string_view, FieldRole)>&);
  std::uint64_t h_ = 0;
  std::array<unsigned char, 8> part_{};
  std::uint64_t len_ = 0;  // bytes waiting in part_
};

// Where a field of a decomposed model lives: split along z (each rank its
// slab, in rank order), on every rank alike (its copy on any rank), or on
// one rank only.
enum : int { kFieldSplit = -1, kFieldEveryRank = -2 };

// hash_fields(fields, h) of the whole model, computed by every rank of comm
// over its own fields (each rank's list must name the same fields in the
// same order; a field a rank does not hold is an empty span there); where(
// name, role) says where each field lives: kFieldSplit, kFieldEveryRank or
// the rank that holds it. Collective; every rank gets the hash.
std::uint64_t slab_state_hash(const FieldList& fields, RankComm& comm, std::uint64_t h,
                              const std::function<int(std::string_view, FieldRole)>& where);

}  // namespace spikecube
