#pragma once
// The runaway rules and the one wording of a model's Health that every
// program shows (the CLI's fault line, the GUI's pause message), so the two
// programs cannot drift apart. Each model's health() applies the rule
// (cube_model.cpp for the lattices, cube and groups; layer_model.cpp); its
// numbers must be the ones below.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace spikecube {

// The rate is measured against what the neurons can fire (core/runaway.hpp:
// with refractory period r a neuron fires at most every r + 1 steps), as the
// rate of the step or averaged over 8 (r + 1) steps.
// Lattices (cube, groups): at least this fraction of that capacity on each of
// this many frames in a row. Waves of cube-48 fire a few percent; a saturated
// lattice fires every neuron that is not refractory.
inline constexpr double kLatticeRunawayRate = 0.5;
inline constexpr std::int64_t kLatticeRunawayFrames = 500;
// Layer model: at least this fraction of the capacity, this many steps.
inline constexpr double kLayerRunawayRate = 0.8;
inline constexpr std::int64_t kLayerRunawaySteps = 1000;

// model: the config's model name ("layer", "cube", "groups").
inline std::string health_message(Health h, std::string_view model) {
  const auto percent = [](double rate) { return std::to_string(static_cast<int>(rate * 100 + 0.5)) + "%"; };
  switch (h) {
    case Health::kNonFinite: return "a membrane potential or threshold became NaN or infinite";
    case Health::kRunaway:
      if (model == "layer") {
        return "runaway firing (the hidden layer fired at least " + percent(kLayerRunawayRate) +
               " of what it can, per step or on average, on each of " + std::to_string(kLayerRunawaySteps) +
               " steps in a row)";
      }
      return "runaway firing (the lattice fired at least " + percent(kLatticeRunawayRate) +
             " of what it can, per step or on average, on each of " + std::to_string(kLatticeRunawayFrames) +
             " frames in a row)";
    case Health::kOk: break;
  }
  return "ok";
}

// The one-line fault report of a run stopped by its model's health (the
// CLI's error line and the Python module's ModelFault text).
inline std::string fault_line(std::int64_t step, Health h, std::string_view model) {
  return "step " + std::to_string(step) + ": " + health_message(h, model) + "; stopping";
}

}  // namespace spikecube
