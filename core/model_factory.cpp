#include "core/cube_model.hpp"
#include "core/groups_model.hpp"
#include "core/lattice_slab.hpp"
#include "core/layer_model.hpp"
#include "core/memory_estimate.hpp"
#include "core/model.hpp"

namespace spikecube {

std::unique_ptr<Model> make_model(const Config& cfg, RankComm& comm) {
  validate(cfg);
  const Slab slab = lattice_slab(cfg, comm.rank(), comm.size());  // refuses what cannot be split over the ranks
  // refuse before allocating rather than fail half way: each rank its part
  if (cfg.model == "layer") check_memory(cfg);
  else check_memory(cfg, slab, comm.ranks_on_machine());
  if (cfg.model == "layer") return std::make_unique<LayerModel>(cfg);
  if (cfg.model == "cube") return std::make_unique<CubeModel>(cfg, comm);
  if (cfg.model == "groups") return std::make_unique<GroupsModel>(cfg, comm);
  throw ConfigError("model.type: \"" + cfg.model +
                    "\" is not available in this build; expected one of {layer, cube, groups}");
}

}  // namespace spikecube
