#include "io/slab_ranks.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

namespace spikecube::io::detail {

std::vector<Slab> gather_slabs(const Slab& mine, RankComm& comm, int tag) {
  std::vector<Slab> slabs(static_cast<std::size_t>(comm.size()));
  slabs[static_cast<std::size_t>(comm.rank())] = mine;
  std::array<std::int64_t, 3> s{mine.first, mine.count, mine.total};
  if (comm.rank() != 0) {
    comm.send(0, std::as_bytes(std::span(s)), tag);
    return slabs;
  }
  for (int r = 1; r < comm.size(); ++r) {
    comm.recv(r, std::as_writable_bytes(std::span(s)), tag);
    slabs[static_cast<std::size_t>(r)] = Slab{s[0], s[1], s[2]};
  }
  return slabs;
}

std::vector<int> plane_order(const std::vector<Slab>& slabs) {
  std::vector<int> order;
  for (std::size_t r = 0; r < slabs.size(); ++r)
    if (slabs[r].count > 0) order.push_back(static_cast<int>(r));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return slabs[static_cast<std::size_t>(a)].first < slabs[static_cast<std::size_t>(b)].first;
  });
  return order;
}

std::string check_tiling(const std::vector<Slab>& slabs) {
  const std::int64_t total = slabs.at(0).total;
  for (std::size_t r = 0; r < slabs.size(); ++r) {
    const Slab& s = slabs[r];
    if (s.total != total)
      return "rank " + std::to_string(r) + " has a lattice of " + std::to_string(s.total) + " planes, rank 0 of " +
             std::to_string(total);
    if (s.first < 0 || s.count < 0 || s.first + s.count > s.total)
      return "rank " + std::to_string(r) + " has slab [" + std::to_string(s.first) + ", " +
             std::to_string(s.first + s.count) + ") outside the lattice's " + std::to_string(total) + " planes";
  }
  std::int64_t next = 0;
  for (int r : plane_order(slabs)) {
    const Slab& s = slabs[static_cast<std::size_t>(r)];
    if (s.first != next)
      return "the ranks' slabs do not tile the lattice (rank " + std::to_string(r) + " starts at plane " +
             std::to_string(s.first) + ", expected " + std::to_string(next) + ")";
    next = s.first + s.count;
  }
  if (next != total)
    return "the ranks' slabs cover planes [0, " + std::to_string(next) + ") of " + std::to_string(total);
  return {};
}

}  // namespace spikecube::io::detail
