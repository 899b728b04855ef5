#pragma once
// The one wording of a model's Health that every program shows (the CLI's
// fault line, the GUI's pause message), so the two cannot drift apart. The
// rules themselves are each model's health() (cube_model.cpp,
// layer_model.cpp; groups is the cube's): keep the numbers here equal to
// theirs.

#include <string>
#include <string_view>

#include "core/model.hpp"

namespace spikecube {

// model: the config's model name ("layer", "cube", "groups").
inline std::string health_message(Health h, std::string_view model) {
  switch (h) {
    case Health::kNonFinite:
      return "a membrane potential or threshold became NaN or infinite";
    case Health::kRunaway:
      return model == "layer" ? "runaway firing (at least 95% of the hidden layer fired on each of 1000 steps in a row)"
                              : "runaway firing (at least half of the lattice fired on each of 500 frames in a row)";
    case Health::kOk: break;
  }
  return "ok";
}

}  // namespace spikecube
