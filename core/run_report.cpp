#include "core/run_report.hpp"

#include <cstdio>
#include <sstream>

namespace spikecube {

std::vector<std::string> metric_columns(const Simulation& sim) {
  std::vector<std::string> cols = {"step", "iou100", "fire", "out_px", "iou", "target_px", "input_on", "replay"};
  for (const auto& name : sim.extra_metric_names()) cols.push_back(name);
  return cols;
}

std::string hash_hex(std::uint64_t h) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string summary_json(const Config& cfg, const RunSummary& s, std::int64_t ran, double seconds,
                         std::uint64_t state_hash) {
  std::ostringstream os;
  os.precision(8);
  os << "{\n"
     << "  \"model\": \"" << cfg.model << "\",\n"
     << "  \"seed\": " << cfg.seed << ",\n"
     << "  \"steps\": " << s.steps << ",\n"
     << "  \"seconds\": " << seconds << ",\n"
     << "  \"steps_run\": " << ran << ",\n"
     << "  \"steps_per_s\": " << (seconds > 0 ? static_cast<double>(ran) / seconds : 0.0) << ",\n"
     << "  \"iou100_final\": " << s.iou100_final << ",\n"
     << "  \"fire_final\": " << s.fire_final << ",\n"
     << "  \"first_iou50\": " << s.first_iou50 << ",\n"
     << "  \"first_iou80\": " << s.first_iou80 << ",\n"
     << "  \"resume_iou50\": " << s.resume_iou50 << ",\n"
     << "  \"resume_iou80\": " << s.resume_iou80 << ",\n"
     << "  \"replay_iou100\": " << s.replay_iou100 << ",\n"
     << "  \"replay_steps_80\": " << s.replay_steps_80 << ",\n"
     << "  \"state_hash\": \"" << hash_hex(state_hash) << "\"\n"
     << "}\n";
  return os.str();
}

}  // namespace spikecube
