#include "ui/pace.hpp"

namespace spikecube::ui {
namespace {

constexpr Pace kMenu[] = {{"max speed", 0},   {"1000 steps/s", 1000}, {"300 steps/s", 300}, {"100 steps/s", 100},
                          {"50 steps/s", 50}, {"30 steps/s", 30},     {"15 steps/s", 15},   {"10 steps/s", 10},
                          {"3 steps/s", 3},   {"1 step/s", 1}};

// a lattice this thin learns in a few hundred steps, like cube-4
constexpr int kThinDepth = 8;

}  // namespace

std::span<const Pace> speed_menu() { return kMenu; }

std::string pace_kind(const Config& cfg) {
  if (cfg.model == "layer") return "layer";
  return cfg.depth <= kThinDepth ? "thin lattice" : "deep lattice";
}

double default_pace(const Config& cfg) {
  const std::string kind = pace_kind(cfg);
  if (kind == "layer") return 30;
  if (kind == "thin lattice") return 15;
  return 30;
}

}  // namespace spikecube::ui
