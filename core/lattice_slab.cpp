#include "core/lattice_slab.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace spikecube {

Slab lattice_slab(const Config& cfg, int rank, int ranks) {
  if (ranks <= 1) return {0, cfg.depth, cfg.depth};
  const std::string np = " (mpirun -np " + std::to_string(ranks) + ")";
  if (cfg.model == "layer")
    throw ConfigError("model.type: the layer model is not decomposed across ranks; run it on one rank" + np);
  for (int z = 0; z < cfg.depth; ++z) {
    const int radius = cfg.overrides.empty() ? cfg.lateral_radius : layer_config(cfg, z).lateral_radius;
    if (radius > 0)
      throw ConfigError("lattice.lateral_radius: the wider lateral links are not decomposed across ranks; expected 0"
                        " in every layer, or one rank" + np);
  }
  // the unit that stays on one rank: a layer of groups where groups matter
  const int g = cfg.model == "groups" || cfg.inhibition == "group" ? std::max(1, cfg.group) : 1;
  const std::int64_t units = cfg.depth / g;
  const std::string what = g == 1 ? std::to_string(units) + " planes"
                                  : std::to_string(units) + " layers of groups (model.group = " + std::to_string(g) +
                                        " planes each)";
  if (units < ranks)
    throw ConfigError("model.depth: " + std::to_string(cfg.depth) + " gives " + what + ", too few for " +
                      std::to_string(ranks) + " ranks" + np + "; expected at least one per rank, so at most " +
                      std::to_string(units) + " ranks");
  // even shares, the larger ones last (the last rank holds the readout)
  std::vector<std::int64_t> share(static_cast<std::size_t>(ranks));
  auto split = [&](std::int64_t total, int parts) {
    for (int r = 0; r < parts; ++r)
      share[static_cast<std::size_t>(r)] = total / parts + (r >= parts - total % parts ? 1 : 0);
  };
  split(units, ranks);
  const std::int64_t readout_units = cfg.readout_enabled ? (cfg.readout_layers + g - 1) / g : 0;
  if (share.back() < readout_units) {
    if (units - readout_units < ranks - 1)
      throw ConfigError("readout.layers: " + std::to_string(cfg.readout_layers) +
                        " must all lie on the last rank, which leaves too few of model.depth's " + what + " for " +
                        std::to_string(ranks - 1) + " other ranks" + np + "; expected at most " +
                        std::to_string(units - readout_units + 1) + " ranks or fewer readout layers");
    split(units - readout_units, ranks - 1);
    share.back() = readout_units;
  }
  std::int64_t first = 0;
  for (int r = 0; r < rank; ++r) first += share[static_cast<std::size_t>(r)];
  return {first * g, share[static_cast<std::size_t>(rank)] * g, cfg.depth};
}

}  // namespace spikecube
