#pragma once
// Round tick values for the plots' step axes: 1, 2, 2.5 or 5 x 10^k apart,
// labelled short enough to fit ("0", "250", "2.5k", "20k", "1.5M"). Qt Charts
// would print "27500" and, short of room, "27...". Qt-free and pure, so it is
// unit-tested directly.

#include <string>
#include <vector>

namespace spikecube::ui {

struct AxisTick {
  double value;
  std::string label;
};

// The smallest round spacing (1, 2, 2.5 or 5 x 10^k, k >= 0: steps are
// whole) that puts at most max_ticks ticks on a span this long.
double round_tick_spacing(double span, int max_ticks);

// The multiples of round_tick_spacing(hi - lo, max_ticks) in [lo, hi], with
// their labels; hi <= lo gives the single tick lo. max_ticks >= 2.
std::vector<AxisTick> round_ticks(double lo, double hi, int max_ticks);

// A step count in a few characters: 0, 250, 2.5k, 20k, 1.25M.
std::string step_label(double v);

}  // namespace spikecube::ui
