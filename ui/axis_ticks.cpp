#include "ui/axis_ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spikecube::ui {

double round_tick_spacing(double span, int max_ticks) {
  const double wanted = span / std::max(1, max_ticks - 1);  // max_ticks ticks have max_ticks - 1 gaps
  if (!(wanted > 1)) return 1;
  const double decade = std::pow(10.0, std::floor(std::log10(wanted)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * decade >= wanted * (1 - 1e-12)) return m * decade;
  return 10 * decade;
}

std::vector<AxisTick> round_ticks(double lo, double hi, int max_ticks) {
  if (!(hi > lo)) return {{lo, step_label(lo)}};
  const double spacing = round_tick_spacing(hi - lo, max_ticks);
  std::vector<AxisTick> ticks;
  // integer multiples, so no rounding error piles up along the axis
  const auto first = static_cast<long long>(std::ceil(lo / spacing - 1e-9));
  const auto last = static_cast<long long>(std::floor(hi / spacing + 1e-9));
  for (long long k = first; k <= last; ++k) {
    const double v = static_cast<double>(k) * spacing;
    ticks.push_back({v, step_label(v)});
  }
  return ticks;
}

std::string step_label(double v) {
  char buf[32];
  const double a = std::abs(v);
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.6gM", v / 1e6);
  else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%.6gk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace spikecube::ui
