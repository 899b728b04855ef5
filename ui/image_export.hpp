#pragma once
// Images of frames and slices, and writing them to disk. Every file goes
// through a temporary file and a rename (core/atomic_file.hpp), so a crash
// never leaves a half-written PNG or CSV.

#include <QImage>
#include <QString>
#include <cstdint>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/model.hpp"

namespace spikecube::ui {

// One plane of the (possibly sub-sampled) lattice: axis 0/1/2 = the plane
// x = K, y = K or z = K, in shown-grid coordinates (see shown_dims). Width runs along the first
// remaining axis (x, or y for axis 0), height along the second.
struct Slice {
  int axis = 2, index = 0;
  int width = 0, height = 0;
  std::vector<float> values;         // v / theta, row-major
  std::vector<std::uint8_t> spiked;  // 1 where the neuron spiked
};

// Returns an empty Slice (width 0) when index is outside the lattice.
Slice extract_slice(const NeuronView& v, int axis, int index);
// values as CSV: one row per line, comma separated, %.6g
std::string slice_csv(const Slice& s);
// heatmap in the potential colour map, spikes drawn in the spike colour
QImage slice_image(const Slice& s);
QImage frame_image(const Frame& f, int n, const QColor& on);
// hits green, misses violet, false alarms magenta
QImage error_image(const Frame& output, const Frame& target, int n);
// Scales up with nearest-neighbour sampling, adds a title bar and a legend
// strip of the potential map (for the saved slice PNG).
QImage annotated_slice(const Slice& s, const QString& title, int scale);

// Writes img as PNG atomically; throws spikecube::FileError naming the path.
void save_png_atomic(const QImage& img, const QString& path);

}  // namespace spikecube::ui
