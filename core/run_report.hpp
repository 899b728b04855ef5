#pragma once
// What a finished run reports, shared by every front end (spikecube-cli's
// metrics.csv and summary.json, the Python module's metrics() and summary()),
// so the files and the Python dicts cannot drift apart.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/simulation.hpp"

namespace spikecube {

// The columns of metrics.csv, in order: step, iou100, fire, out_px, iou,
// target_px, input_on, replay (1 on steps replayed from memory), then the
// model's extra metrics (e.g. focus).
std::vector<std::string> metric_columns(const Simulation& sim);

// A state hash as summary.json writes it: 16 lowercase hex digits.
std::string hash_hex(std::uint64_t h);

// The text of summary.json. `ran` and `seconds` are the steps run and the
// wall time of this invocation (a resumed run continues the step count).
std::string summary_json(const Config& cfg, const RunSummary& s, std::int64_t ran, double seconds,
                         std::uint64_t state_hash);

}  // namespace spikecube
