#pragma once
// Command line of the spikecube app:
//   spikecube [--preset P] [--config F] [--steps N] [--seed S]
//             [--speed STEPS_PER_S] [--screenshot out.png] [--screenshot-window out.png]
//             [--slice-png AXIS:K:out.png] [--groups] [--group-colour] [--quit]
// --steps runs N steps at full speed (or at --speed), then the images are
// saved; without a scripted flag --speed sets the interactive pace; --quit exits
// afterwards (status 0, or 1 if an image could not be written). Qt's own
// options (-platform, -display, ...) are passed through. Parsed before the
// QApplication exists, so a bad flag never needs a display.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace spikecube {
struct Config;
}

namespace spikecube::ui {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SliceRequest {
  int axis = 2;  // 0 = x, 1 = y, 2 = z
  int index = 0;
  std::string path;
};

struct ScriptOptions {
  std::string preset;       // empty: remembered last preset, else 01_01
  std::string config_path;  // applied on top of the preset
  std::optional<std::int64_t> steps;
  std::optional<std::uint64_t> seed;
  std::optional<double> speed;    // steps per second; scripted default: as fast as possible
  std::string screenshot;         // the 3D view with legend and caption
  std::string screenshot_window;  // the whole window, 3D view included
  std::optional<SliceRequest> slice;
  bool group_lines = false;   // groups model: outline the groups in the 3D view
  bool group_colour = false;  // groups model: colour neurons by group-mean v/theta
  bool quit = false;
  bool help = false;
  bool version = false;
  bool scripted() const {
    return steps.has_value() || !screenshot.empty() || !screenshot_window.empty() || slice.has_value() || quit;
  }
};

// Throws UsageError with a one-line message for an unknown flag, a missing or
// malformed value.
ScriptOptions parse_script_options(const std::vector<std::string>& args);
std::string usage_text();

// Throws UsageError when the --slice-png plane lies outside cfg's lattice
// (checked once the config is resolved, before the window opens).
void check_slice_in_lattice(const ScriptOptions& o, const Config& cfg);

}  // namespace spikecube::ui
