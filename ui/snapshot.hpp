#pragma once
// What the simulation thread publishes for the GUI: a copy of everything a
// view draws, taken between two steps. A Snapshot is a plain value; the
// simulation thread fills one while the GUI reads another, and the two are
// exchanged by a pointer swap under a short lock (see SimWorker). No Qt here,
// so the thread code can be tested (and run under TSan) without a display.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/frame.hpp"
#include "core/input_mode.hpp"
#include "core/model.hpp"
#include "core/simulation.hpp"

namespace spikecube::ui {

// One step's headline metrics, for the live plots.
struct MetricPoint {
  std::int64_t step = 0;
  float iou100 = 0;
  float fire = 0;
};

struct Snapshot {
  std::uint64_t seq = 0;                  // publish counter, 0 = nothing published yet
  std::uint64_t generation = 0;           // bumps when the Simulation is replaced (reset, new config)
  std::int64_t step = 0;                  // steps done (Simulation::step_count)
  StepMetrics metrics;                    // of the last step
  bool running = false;                   // free-running (not paused)
  bool input_enabled = true;              // the manual input switch (Simulation::input_enabled)
  InputMode input_mode = InputMode::kOn;  // what the input button last chose (replay: from memory)
  bool input_on_next = true;              // switch and schedule together, for the next step
  InputMode mode_next = InputMode::kOn;   // the same as a mode: on, off or replay from memory
  Health health = Health::kOk;
  double steps_per_s = 0;  // measured over the last half second or so of running

  // Every step since the snapshot the reader took before this one (so plots
  // miss nothing even though snapshots are published at ~60 Hz).
  std::vector<MetricPoint> history;

  Frame input, target, output;      // n*n bytes each, 0/1
  NeuronView neurons;               // potentials relative to threshold and spikes
  std::vector<double> layer_rates;  // firing rate per z layer (empty for the layer model)
  std::vector<std::string> extra_names;
  // All-to-all groups (groups model): the side g of a group (0 = no groups)
  // and the mean v/theta of each group, index (gz*(n/g) + gy)*(n/g) + gx.
  int group_size = 0;
  std::vector<float> group_potentials;

  // The live configuration; replaced (never modified) when a parameter changes.
  std::shared_ptr<const Config> config;
  std::uint64_t config_version = 0;
};

}  // namespace spikecube::ui
