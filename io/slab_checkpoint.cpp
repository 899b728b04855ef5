#include "io/slab_checkpoint.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "io/checkpoint_file.hpp"
#include "io/slab_ranks.hpp"

namespace spikecube::io {
namespace {
using namespace detail;

// Tags of the transfers to rank 0 (below any MPI_TAG_UB, which is >= 32767).
constexpr int kSlabTag = 23101, kHeaderTag = 23102, kDataTag = 23103;

// The element types of a checkpoint, in the order of its groups.
enum Kind : std::uint8_t { kF32, kF64, kI64, kU8, kKinds, kMissing = 255 };

struct KindInfo {
  const char* group;
  hid_t file_type, mem_type;
  std::size_t bytes;
};
KindInfo info(int k) {
  switch (k) {
    case kF32: return {"f32", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 4};
    case kF64: return {"f64", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 8};
    case kI64: return {"i64", H5T_STD_I64LE, H5T_NATIVE_INT64, 8};
    default: return {"u8", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1};
  }
}

// One array of a local archive as bytes.
struct Bytes {
  const std::byte* data = nullptr;
  std::uint64_t length = 0;  // elements
};

template <typename T>
bool lookup(const std::map<std::string, std::vector<T>>& m, const std::string& name, Bytes& out) {
  auto it = m.find(name);
  if (it == m.end()) return false;
  out = {reinterpret_cast<const std::byte*>(it->second.data()), it->second.size()};
  return true;
}
bool lookup(const StateArchive& a, int k, const std::string& name, Bytes& out) {
  switch (k) {
    case kF32: return lookup(a.f32, name, out);
    case kF64: return lookup(a.f64, name, out);
    case kI64: return lookup(a.i64, name, out);
    default: return lookup(a.u8, name, out);
  }
}
template <typename T>
void names_of(const std::map<std::string, std::vector<T>>& m, std::vector<std::string>& out) {
  for (const auto& entry : m) out.push_back(entry.first);
}
std::vector<std::string> names_of(const StateArchive& a, int k) {
  std::vector<std::string> out;
  switch (k) {
    case kF32: names_of(a.f32, out); break;
    case kF64: names_of(a.f64, out); break;
    case kI64: names_of(a.i64, out); break;
    default: names_of(a.u8, out); break;
  }
  return out;
}

// The kind of a split or owned array on this rank: kMissing when absent;
// an error when it is held as more than one type (it would be ambiguous).
std::uint8_t kind_of(const StateArchive& a, const std::string& name, std::string& err, int rank) {
  std::uint8_t kind = kMissing;
  Bytes unused;
  for (int k = 0; k < kKinds; ++k) {
    if (!lookup(a, k, name, unused)) continue;
    if (kind != kMissing && err.empty())
      err = "rank " + std::to_string(rank) + " holds array '" + name + "' as both " + info(kind).group + " and " +
            info(k).group;
    kind = static_cast<std::uint8_t>(k);
  }
  return kind;
}

template <typename T>
std::span<std::byte> raw(T* p, std::size_t n) {
  return std::as_writable_bytes(std::span<T>(p, n));
}

// Byte ranges [offset, offset + size) of one transfer, in pieces of at most
// `piece` bytes; sender and receiver cut the same way.
template <typename Fn>
void in_pieces(std::uint64_t bytes, std::uint64_t piece, Fn fn) {
  for (std::uint64_t off = 0; off < bytes; off += piece) fn(off, std::min(piece, bytes - off));
}
std::uint64_t piece_bytes(std::int64_t per_plane, std::size_t elem) {
  if (per_plane <= 0) return std::uint64_t(kSlabPieceBytes) / elem * elem;  // owned arrays: no planes
  const std::uint64_t plane = std::uint64_t(per_plane) * elem;
  return std::max<std::uint64_t>(1, std::uint64_t(kSlabPieceBytes) / plane) * plane;
}

// Checks that every rank can play its part; returns this rank's first
// problem, or empty.
std::string check_local(const StateArchive& local, const SlabLayout& layout, const RankComm& comm,
                        std::vector<std::uint8_t>& split_kinds) {
  const int rank = comm.rank();
  const Slab& s = layout.slab;
  const std::string me = "rank " + std::to_string(rank);
  if (s.first < 0 || s.count < 0 || s.total < 0 || s.first + s.count > s.total) {
    return me + " has slab [" + std::to_string(s.first) + ", " + std::to_string(s.first + s.count) +
           ") outside the lattice's " + std::to_string(s.total) + " planes";
  }
  // the root attribute `step` comes from rank 0's archive
  if (layout.per_plane.count("sim.step") || layout.owner.count("sim.step"))
    return "array 'sim.step' must be the same on every rank, not split or owned";
  std::string err;
  for (const auto& [name, per_plane] : layout.per_plane) {
    if (per_plane < 0) return "array '" + name + "' has a negative size per plane";
    if (layout.owner.count(name)) return "array '" + name + "' is both split and owned";
    const std::uint8_t kind = kind_of(local, name, err, rank);
    split_kinds.push_back(kind);
    if (!err.empty()) return err;
    Bytes b;
    if (kind == kMissing) return me + " has no array '" + name + "'";
    lookup(local, kind, name, b);
    const auto expected = static_cast<std::uint64_t>(per_plane * s.count);
    if (b.length != expected) {
      return me + ": array '" + name + "' has " + std::to_string(b.length) + " elements, expected " +
             std::to_string(expected) + " (" + std::to_string(per_plane) + " per plane x " + std::to_string(s.count) +
             " planes)";
    }
  }
  for (const auto& [name, owner] : layout.owner) {
    if (owner < 0 || owner >= comm.size())
      return "array '" + name + "' is owned by rank " + std::to_string(owner) + ", which does not exist";
    if (owner != rank) continue;
    if (kind_of(local, name, err, rank) == kMissing) return me + " (its owner) has no array '" + name + "'";
    if (!err.empty()) return err;
  }
  return {};
}

// An array of the file as rank 0 assembles it.
struct Item {
  enum Source { kCommon, kSplit, kOwned } source = kCommon;
  std::uint64_t length = 0;  // elements in the file
  std::int64_t per_plane = 0;
  int owner = 0;
};
using Plan = std::array<std::map<std::string, Item>, kKinds>;

// What every rank sends, in the order rank 0 receives it: per kind, by name,
// its slab of each split array and each array it owns.
void send_slabs(const StateArchive& local, const SlabLayout& layout, const std::vector<std::uint8_t>& split_kinds,
                RankComm& comm) {
  Plan mine;
  std::size_t i = 0;
  for (const auto& [name, per_plane] : layout.per_plane)
    mine[split_kinds[i++]][name] = Item{Item::kSplit, 0, per_plane, 0};
  std::string unused;
  for (const auto& [name, owner] : layout.owner)
    if (owner == comm.rank()) mine[kind_of(local, name, unused, owner)][name] = Item{Item::kOwned, 0, 0, owner};
  for (int k = 0; k < kKinds; ++k) {
    for (const auto& [name, item] : mine[static_cast<std::size_t>(k)]) {
      Bytes b;
      lookup(local, k, name, b);
      const std::size_t elem = info(k).bytes;
      in_pieces(b.length * elem, piece_bytes(item.per_plane, elem), [&](std::uint64_t off, std::uint64_t n) {
        comm.send(0, std::span<const std::byte>(b.data + off, n), kDataTag);
      });
    }
  }
}

// Rank 0: the file's arrays, per kind and name, and where each comes from.
Plan plan_file(const StateArchive& local, const SlabLayout& layout, const std::vector<std::uint8_t>& split_kinds,
               const std::map<std::string, std::pair<std::uint8_t, std::uint64_t>>& owned) {
  Plan plan;
  std::size_t i = 0;
  for (const auto& [name, per_plane] : layout.per_plane) {
    plan[split_kinds[i++]][name] =
        Item{Item::kSplit, static_cast<std::uint64_t>(per_plane * layout.slab.total), per_plane, 0};
  }
  for (const auto& [name, owner] : layout.owner) {
    const auto& [kind, length] = owned.at(name);
    plan[kind][name] = Item{Item::kOwned, length, 0, owner};
  }
  for (int k = 0; k < kKinds; ++k) {
    for (const auto& name : names_of(local, k)) {
      auto& in_kind = plan[static_cast<std::size_t>(k)];
      if (in_kind.count(name) || layout.per_plane.count(name) || layout.owner.count(name)) continue;
      Bytes b;
      lookup(local, k, name, b);
      in_kind[name] = Item{Item::kCommon, b.length, 0, 0};
    }
  }
  return plan;
}

// Rank 0: writes the file, receiving every other rank's part as it goes.
// After a failure it stops writing but still receives everything (so that no
// sender blocks forever) and returns the failure's cause.
std::string write_as_root(CheckpointWriter& w, const StateArchive& local, const std::vector<Slab>& slabs,
                          const Plan& plan, RankComm& comm) {
  std::string err;
  const auto attempt = [&](auto&& fn) {
    if (!err.empty()) return;
    try {
      fn();
    } catch (const CheckpointError& e) {
      err = e.cause();
    }
  };
  const std::vector<int> order = plane_order(slabs);

  auto model = local.text.find("model");
  auto step = local.i64.find("sim.step");
  attempt([&] {
    w.write_root(model != local.text.end() ? model->second : std::string(),
                 (step != local.i64.end() && step->second.size() == 1) ? step->second[0] : -1);
  });
  std::vector<std::byte> buf;
  for (int k = 0; k < kKinds; ++k) {
    const KindInfo ki = info(k);
    Handle g;
    attempt([&] { g = w.create_group(ki.group); });
    for (const auto& [name, item] : plan[static_cast<std::size_t>(k)]) {
      const std::string where = std::string(ki.group) + "/" + name;
      Handle d;
      attempt([&] { d = w.create_array(g.get(), ki.group, name, ki.file_type, item.length); });
      // elements [offset, ...) of the file from `bytes` bytes sent by rank `from`
      const auto receive = [&](int from, std::uint64_t offset, std::uint64_t bytes) {
        in_pieces(bytes, piece_bytes(item.per_plane, ki.bytes), [&](std::uint64_t off, std::uint64_t n) {
          buf.resize(n);
          comm.recv(from, std::span<std::byte>(buf.data(), n), kDataTag);
          attempt(
              [&] { w.write_range(d.get(), ki.mem_type, offset + off / ki.bytes, n / ki.bytes, buf.data(), where); });
        });
      };
      Bytes b;
      if (item.source == Item::kCommon || (item.source == Item::kOwned && item.owner == 0)) {
        lookup(local, k, name, b);
        attempt([&] { w.write_range(d.get(), ki.mem_type, 0, b.length, b.data, where); });
      } else if (item.source == Item::kOwned) {
        receive(item.owner, 0, item.length * ki.bytes);
      } else {
        const auto per_plane = static_cast<std::uint64_t>(item.per_plane);
        for (int r : order) {
          const Slab& s = slabs[static_cast<std::size_t>(r)];
          const std::uint64_t offset = static_cast<std::uint64_t>(s.first) * per_plane;
          const std::uint64_t count = static_cast<std::uint64_t>(s.count) * per_plane;
          if (r == 0) {
            lookup(local, k, name, b);
            attempt([&] { w.write_range(d.get(), ki.mem_type, offset, count, b.data, where); });
          } else {
            receive(r, offset, count * ki.bytes);
          }
        }
      }
    }
  }
  attempt([&] {
    Handle g = w.create_group("text");
    for (const auto& [name, value] : local.text) w.write_text(g.get(), name, value);
  });
  attempt([&] { w.commit(); });
  return err;
}

}  // namespace

void write_archive_slabs(const std::string& path, const StateArchive& local, const SlabLayout& layout, RankComm& comm) {
  const int rank = comm.rank();
  std::vector<std::uint8_t> split_kinds;
  std::string err = check_local(local, layout, comm, split_kinds);
  split_kinds.resize(layout.per_plane.size(), kMissing);

  // rank 0 learns the slabs; every rank learns rank 0's types of the split arrays
  const std::vector<Slab> slabs = gather_slabs(layout.slab, comm, kSlabTag);
  std::vector<std::uint8_t> root_kinds = split_kinds;
  comm.broadcast(0, raw(root_kinds.data(), root_kinds.size()));
  std::size_t i = 0;
  for (const auto& entry : layout.per_plane) {
    const std::uint8_t mine = split_kinds[i], root = root_kinds[i];
    ++i;
    if (err.empty() && rank != 0 && root != kMissing && mine != root)
      err = "rank " + std::to_string(rank) + " holds array '" + entry.first + "' as " + info(mine).group +
            ", rank 0 as " + info(root).group;
  }
  std::unique_ptr<CheckpointWriter> writer;
  if (rank == 0 && err.empty()) {
    err = check_tiling(slabs);
    if (err.empty()) {
      try {
        writer = std::make_unique<CheckpointWriter>(path);
      } catch (const CheckpointError& e) {
        err = e.cause();
      }
    }
  }
  if (const std::string first = comm.first_error(err); !first.empty()) throw CheckpointError(path, first);

  // the owners tell rank 0 the types and lengths of the arrays they own
  std::map<std::string, std::pair<std::uint8_t, std::uint64_t>> owned;
  for (const auto& [name, owner] : layout.owner) {
    std::string unused;
    std::array<std::uint64_t, 2> head{0, 0};
    if (rank == owner) {
      const std::uint8_t kind = kind_of(local, name, unused, rank);
      Bytes b;
      lookup(local, kind, name, b);
      head = {kind, b.length};
      if (owner != 0) comm.send(0, std::as_bytes(std::span(head)), kHeaderTag);
    }
    if (rank == 0 && owner != 0) comm.recv(owner, raw(head.data(), head.size()), kHeaderTag);
    if (rank == 0) owned[name] = {static_cast<std::uint8_t>(head[0]), head[1]};
  }

  if (rank == 0) {
    err = write_as_root(*writer, local, slabs, plan_file(local, layout, root_kinds, owned), comm);
  } else {
    send_slabs(local, layout, split_kinds, comm);
  }
  if (const std::string first = comm.first_error(err); !first.empty()) throw CheckpointError(path, first);
}

StateArchive read_archive_slab(const std::string& path, const SlabLayout& layout) {
  const Slab& s = layout.slab;
  if (s.first < 0 || s.count < 0 || s.first + s.count > s.total) {
    throw CheckpointError(path, "slab [" + std::to_string(s.first) + ", " + std::to_string(s.first + s.count) +
                                    ") is outside the lattice's " + std::to_string(s.total) + " planes");
  }
  return read_checkpoint(path, [&](const std::string& name, std::uint64_t length) -> std::optional<ArrayRange> {
    auto it = layout.per_plane.find(name);
    if (it == layout.per_plane.end()) return std::nullopt;
    const auto per_plane = static_cast<std::uint64_t>(std::max<std::int64_t>(0, it->second));
    const std::uint64_t expected = per_plane * static_cast<std::uint64_t>(s.total);
    if (length != expected) {
      throw CheckpointError(path, "array '" + name + "' has " + std::to_string(length) + " elements, expected " +
                                      std::to_string(expected) + " (" + std::to_string(per_plane) + " per plane x " +
                                      std::to_string(s.total) + " planes)");
    }
    return ArrayRange{per_plane * static_cast<std::uint64_t>(s.first), per_plane * static_cast<std::uint64_t>(s.count)};
  });
}

}  // namespace spikecube::io
