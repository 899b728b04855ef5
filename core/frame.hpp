#pragma once
// Binary n x n frames (input, target, prediction) and positions on the grid.

#include <cstdint>
#include <vector>

namespace spikecube {

// One byte per pixel, 0 or 1, row-major: pixel (x, y) is at y * n + x.
using Frame = std::vector<std::uint8_t>;

struct Point {
  int x = 0;
  int y = 0;
  bool operator==(const Point&) const = default;
};

}  // namespace spikecube
