#include "core/slab_hash.hpp"

#include <cstring>

#include "core/rng.hpp"

namespace spikecube {

void StreamHash::add(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  auto mix_word = [&](const unsigned char* w8) {
    std::uint64_t w;
    std::memcpy(&w, w8, 8);
    h_ = rng::mix64(h_ ^ w) + 0x9e3779b97f4a7c15ULL;  // as hash_bytes
  };
  std::size_t i = 0;
  while (len_ > 0 && i < size) {  // complete the word a previous slab began
    part_[len_++] = p[i++];
    if (len_ == 8) {
      mix_word(part_.data());
      len_ = 0;
    }
  }
  for (; i + 8 <= size; i += 8) mix_word(p + i);
  for (; i < size; ++i) part_[len_++] = p[i];
}

std::uint64_t StreamHash::finish() {
  for (std::uint64_t i = 0; i < len_; ++i) h_ = rng::mix64(h_ ^ part_[i]);
  len_ = 0;
  return h_;
}

std::uint64_t slab_state_hash(const FieldList& fields, RankComm& comm, std::uint64_t h,
                              const std::function<int(std::string_view, FieldRole)>& where) {
  constexpr int kTag = 7101;
  StreamHash s(h);
  int at = 0;  // the rank holding the running hash
  // the running hash moves to rank `to` (every rank knows where it is)
  auto move_to = [&](int to) {
    if (to == at) return;
    std::array<std::uint64_t, 3> wire{};
    if (comm.rank() == at) {
      wire = {s.h_, 0, s.len_};
      std::memcpy(&wire[1], s.part_.data(), 8);
      comm.send(to, std::as_bytes(std::span(wire)), kTag);
    } else if (comm.rank() == to) {
      comm.recv(at, std::as_writable_bytes(std::span(wire)), kTag);
      s.h_ = wire[0];
      std::memcpy(s.part_.data(), &wire[1], 8);
      s.len_ = wire[2];
    }
    at = to;
  };
  FieldVisitorOf visit([&](std::string_view name, auto&& data, FieldRole role) {
    const int w = where(name, role);
    const std::size_t bytes = data.size() * sizeof(data[0]);
    if (w == kFieldSplit) {
      for (int r = 0; r < comm.size(); ++r) {
        move_to(r);
        if (comm.rank() == r) s.add(data.data(), bytes);
      }
    } else {
      move_to(w == kFieldEveryRank ? at : w);
      if (comm.rank() == at) s.add(data.data(), bytes);
    }
    if (comm.rank() == at) s.finish();
  });
  fields(visit);
  move_to(0);
  std::uint64_t out = comm.rank() == 0 ? s.finish() : 0;
  comm.broadcast(0, std::as_writable_bytes(std::span(&out, 1)));
  return out;
}

}  // namespace spikecube
