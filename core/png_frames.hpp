#pragma once
// Frames for stimulus.kind = "sequence" from a folder of PNG images, one
// frame per file in file-name order (frame_000.png, frame_001.png, ...).
// Decoded with the header-only stb_image from Debian's libstb-dev, compiled
// into this one file, so core/ still links nothing beyond Eigen.

#include <string>
#include <vector>

#include "core/frame.hpp"

namespace spikecube {

// Reads every *.png of `folder` (other files are ignored) as an n x n binary
// frame: a pixel is lit where its grey level (and alpha, if any) is at least
// half of full scale. Throws ConfigError naming stimulus.path and the file for
// a missing or empty folder, an undecodable file, or a size other than n x n;
// the size is read from the header before any pixel is decoded.
std::vector<Frame> load_png_frames(const std::string& folder, int n);

}  // namespace spikecube
