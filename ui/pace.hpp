#pragma once
// How fast the interactive GUI runs. Flat out, 01_01 goes from chaos to
// order in a fraction of a second; the default pace of each model is chosen
// so that its story (the prediction locking onto the dot) takes about a
// minute to watch. Scripted runs (--steps) ignore it and run flat out unless
// --speed is given. Qt-free, so it is tested without a display.

#include <span>
#include <string>

#include "core/config.hpp"

namespace spikecube::ui {

struct Pace {
  const char* label;
  double steps_per_s;  // 0 = as fast as possible
};

// The speed menu, fastest first; every default_pace() is one of its entries.
std::span<const Pace> speed_menu();

// The pace a model starts at when the user has not chosen one ("orders":
// iou100 >= 0.8 first, with the preset's seed):
//   layer                          30 steps/s (01_01 orders at step 1,871: ~1 min)
//   cube / groups, depth <= 8      15 steps/s (cube-4 orders at step 930: ~1 min)
//   cube / groups, deeper          30 steps/s (cube-48 orders at step 1,930: ~1 min)
double default_pace(const Config& cfg);

// The key under which the user's choice for this kind of model is
// remembered: "layer", "thin lattice" or "deep lattice" (one per rule above).
std::string pace_kind(const Config& cfg);

}  // namespace spikecube::ui
