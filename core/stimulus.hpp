#pragma once
// Input patterns on the n x n grid: the moving dot of the original experiment,
// several dots, a sweeping bar, and a user-supplied frame sequence. A stimulus
// shows its current frame and advances one frame at a time; the Simulation
// freezes it while the input is switched off.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/config.hpp"
#include "core/frame.hpp"
#include "core/input_mode.hpp"
#include "core/state_archive.hpp"

namespace spikecube {

// One dot bouncing inside the grid (README, "The layer model against the
// original"). Exposed for unit tests.
struct Dot {
  int x = 0, y = 0, vx = 1, vy = 1;

  // Starts on a random edge: top/bottom edge at a random x moving inwards in y
  // with vx = +-1, or left/right likewise with the axes swapped.
  static Dot random_start(int n, std::uint64_t seed, std::uint64_t index);
  // x += vx, y += vy, reflecting at the faces: x < 0 -> -x, vx = +1;
  // x >= n -> 2n - 2 - x, vx = -1 (same for y).
  void advance(int n);
};

class Stimulus {
 public:
  virtual ~Stimulus() = default;
  // Writes the current frame (n * n bytes, 0/1).
  virtual void draw(Frame& frame) const = 0;
  virtual void advance() = 0;
  // Centres of the lit objects, for the focus metric.
  virtual std::vector<Point> points() const = 0;
  // Everything needed to continue exactly (positions, velocities, index).
  virtual std::vector<std::int64_t> state() const = 0;
  virtual void set_state(const std::vector<std::int64_t>& s) = 0;
};

// Builds the stimulus a config asks for; throws ConfigError when a sequence
// file cannot be read.
std::unique_ptr<Stimulus> make_stimulus(const Config& cfg);

// Reads frames for kind = sequence: a folder of n x n PNG images (one frame
// per file, in file-name order; see png_frames.hpp), or a text file of n
// lines of n '0'/'1' characters per frame (blank lines between frames are
// allowed).
std::vector<Frame> load_frame_sequence(const std::string& path, int n);

// The input switch: off during the configured intervals (inclusive).
class InputSchedule {
 public:
  InputSchedule() = default;
  explicit InputSchedule(std::vector<OffInterval> off, std::vector<OffInterval> replay = {})
      : off_(std::move(off)), replay_(std::move(replay)) {}
  bool scheduled_on(std::int64_t step) const { return scheduled_mode(step) == InputMode::kOn; }
  // Replay and off intervals never overlap (Config validation).
  InputMode scheduled_mode(std::int64_t step) const {
    for (const auto& iv : replay_) {
      if (step >= iv.first && step <= iv.last) return InputMode::kReplay;
    }
    for (const auto& iv : off_) {
      if (step >= iv.first && step <= iv.last) return InputMode::kOff;
    }
    return InputMode::kOn;
  }

 private:
  std::vector<OffInterval> off_;
  std::vector<OffInterval> replay_;
};

}  // namespace spikecube
