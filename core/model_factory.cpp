#include "core/cube_model.hpp"
#include "core/groups_model.hpp"
#include "core/layer_model.hpp"
#include "core/memory_estimate.hpp"
#include "core/model.hpp"

namespace spikecube {

std::unique_ptr<Model> make_model(const Config& cfg) {
  validate(cfg);
  check_memory(cfg);  // refuse before allocating rather than fail half way
  if (cfg.model == "layer") return std::make_unique<LayerModel>(cfg);
  if (cfg.model == "cube") return std::make_unique<CubeModel>(cfg);
  if (cfg.model == "groups") return std::make_unique<GroupsModel>(cfg);
  throw ConfigError("model.type: \"" + cfg.model +
                    "\" is not available in this build; expected one of {layer, cube, groups}");
}

}  // namespace spikecube
