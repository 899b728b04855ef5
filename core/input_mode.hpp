#pragma once
// The three ways the network can be fed: the moving dot (on), nothing (off),
// or its own previous prediction while the dot keeps moving unseen (replay
// from memory). The GUI's input button cycles through them.

#include <cstdint>

namespace spikecube {

enum class InputMode : std::uint8_t { kOn, kOff, kReplay };

// Whether the GUI's input button offers replay (Simulation::set_input_mode);
// false would make it cycle on <-> off only.
inline constexpr bool kReplayAvailable = true;

// Short lower-case name, as the status bar shows it.
constexpr const char* input_mode_name(InputMode m) {
  switch (m) {
    case InputMode::kOn: return "input on";
    case InputMode::kOff: return "input off";
    case InputMode::kReplay: return "replay from memory";
  }
  return "input on";
}

// The mode the input button switches to: on -> off -> replay -> on, or
// on <-> off when replay is not available.
constexpr InputMode next_input_mode(InputMode m, bool replay_available = kReplayAvailable) {
  switch (m) {
    case InputMode::kOn: return InputMode::kOff;
    case InputMode::kOff: return replay_available ? InputMode::kReplay : InputMode::kOn;
    case InputMode::kReplay: return InputMode::kOn;
  }
  return InputMode::kOn;
}

}  // namespace spikecube
