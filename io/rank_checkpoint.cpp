#include "io/rank_checkpoint.hpp"

#include "io/checkpoint.hpp"
#include "io/checkpoint_file.hpp"
#include "io/error_text.hpp"
#include "io/slab_checkpoint.hpp"

namespace spikecube::io {
namespace {

SlabLayout layout_of(const Simulation& sim) {
  const StateSplit s = sim.model().state_split();
  return {s.slab, s.per_plane, s.owner};
}

// Runs f on every rank; the first rank's failure is thrown on every rank as
// a CheckpointError naming the file.
template <typename F>
void agreed(const std::string& path, RankComm& comm, F&& f) {
  std::string error;
  try {
    f();
  } catch (const CheckpointError& e) {
    error = e.what();
  } catch (const StateError& e) {
    error = CheckpointError(path, e.what()).what();
  } catch (const ConfigError& e) {
    error = CheckpointError(path, std::string("its config is invalid: ") + e.what()).what();
  } catch (const std::exception& e) {
    error = CheckpointError(path, std::string("cannot load: ") + e.what()).what();
  }
  error = comm.first_error(error);
  if (error.empty()) return;
  // the agreed line as it stands: "PATH: cause"
  throw CheckpointError(path, detail::cause_after_path(error, path));
}

// This rank's part of the file into sim (whose model fits the file).
void load_slab(const std::string& path, Simulation& sim, RankComm& comm) {
  StateArchive a;
  agreed(path, comm, [&] {
    const SlabLayout layout = layout_of(sim);
    a = read_archive_slab(path, layout);
    // an array one rank holds (the readout's weights) is empty on the others
    for (const auto& [name, owner] : layout.owner)
      if (owner != comm.rank()) {
        if (auto f = a.f32.find(name); f != a.f32.end()) f->second.clear();
        if (auto d = a.f64.find(name); d != a.f64.end()) d->second.clear();
        if (auto i = a.i64.find(name); i != a.i64.end()) i->second.clear();
        if (auto u = a.u8.find(name); u != a.u8.end()) u->second.clear();
      }
  });
  // Simulation::load checks everything the ranks share alike, and the
  // model's load agrees on the checks of each rank's own arrays
  agreed(path, comm, [&] { sim.load(a); });
}

}  // namespace

void save_checkpoint(const std::string& path, const Simulation& sim, RankComm& comm) {
  if (comm.size() == 1) return save_checkpoint(path, sim);
  StateArchive a;
  sim.save(a);
  write_archive_slabs(path, a, layout_of(sim), comm);
}

void load_checkpoint(const std::string& path, Simulation& sim, RankComm& comm) {
  if (comm.size() == 1) return load_checkpoint(path, sim);
  load_slab(path, sim, comm);
}

std::unique_ptr<Simulation> open_checkpoint(const std::string& path, RankComm& comm) {
  if (comm.size() == 1) return open_checkpoint(path);
  // the config first (the text fields; no array is read), then the model
  // it describes, split over the ranks, then this rank's planes
  std::unique_ptr<Simulation> sim;
  agreed(path, comm, [&] {
    const StateArchive text =
        detail::read_checkpoint(path, [](const std::string&, std::uint64_t) { return detail::ArrayRange{0, 0}; });
    sim = std::make_unique<Simulation>(parse_config(text.get_text("config"), path), comm);
  });
  load_slab(path, *sim, comm);
  return sim;
}

}  // namespace spikecube::io
