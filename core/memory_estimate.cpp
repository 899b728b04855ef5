#include "core/memory_estimate.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace spikecube {

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1000.0 && u < 5) {
    bytes /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

namespace {

// one dense g^3 x g^3 block per group, and the intra-group currents
double groups_block_bytes(const Config& c) {
  const double g3 = static_cast<double>(c.group) * c.group * c.group;
  const double N = static_cast<double>(c.n) * c.n * c.depth;
  return N * g3 * sizeof(float) + N * sizeof(float) + N / g3;
}

}  // namespace

MemoryEstimate estimate_memory(const Config& c) {
  MemoryEstimate e;
  const double n = c.n, nn = n * n;
  const double f = sizeof(float);
  const int threads = c.threads > 0 ? c.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // program, libraries, thread stacks, the metric windows
  e.other_bytes = 64e6 + threads * 8e6;
  if (c.model == "layer") {
    e.neurons = nn;
    const double rec = (2.0 * c.rec_radius + 1) * (2.0 * c.rec_radius + 1) - 1;
    // potentials, thresholds, traces, current; input weights (dense n^2 x n^2); recurrent weights
    e.lattice_bytes = nn * (6 * f + 3) + nn * nn * f + (c.rec_radius > 0 ? rec * nn * f : 0);
    e.readout_bytes = nn * nn * f * (c.readout_radius >= 0 ? 2 : 1);
    e.largest_key = "lower model.n";
    return e;
  }
  const double N = nn * c.depth;
  e.neurons = N;
  // six weight arrays, v, trace_pre; theta unless fixed; trace_post when
  // tau_plus != tau_minus; refractory counters; two spike buffers
  double per = 6 * f + 2 * f + 2;
  if (c.threshold != "fixed") per += f;
  if (c.tau_plus != c.tau_minus) per += f;
  if (c.refractory > 0) per += 1;
  // plus per-row spike counts, per-plane link masks and the buffers' padding
  e.lattice_bytes = N * per + 2 * n * c.depth * 4 + 7 * nn + 4 * (nn + 64) + 8 * (n + 64) + c.depth;
  e.other_bytes += threads * 3 * nn * f;  // rows in flight per worker
  if (c.readout_enabled) {
    const double sources = static_cast<double>(c.readout_layers) * nn;
    e.readout_bytes = nn * sources * f * (c.readout_radius >= 0 ? 2 : 1) + sources;
  }
  double groups_bytes = 0;
  if (c.model == "groups") {
    groups_bytes = groups_block_bytes(c);
    e.other_bytes += groups_bytes;
  }
  if (e.readout_bytes >= e.lattice_bytes && e.readout_bytes >= groups_bytes) {
    e.largest_key = c.readout_layers > 1 ? "lower readout.layers or set readout.enabled = false"
                                         : "set readout.enabled = false or lower model.n";
  } else if (groups_bytes > e.lattice_bytes) {
    e.largest_key = "lower model.group";
  } else {
    e.largest_key = "lower model.n or model.depth";
  }
  return e;
}

double available_memory(int sharing) {
  double avail = -1;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream is(line.substr(13));
      double kb = 0;
      if (is >> kb) avail = kb * 1024.0 / std::max(1, sharing);  // the machine's, shared
      break;
    }
  }
  // under ulimit -v the address space (this process's own) runs out first
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    double used = 0;
    std::ifstream statm("/proc/self/statm");
    double pages = 0;
    if (statm >> pages) used = pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
    const double left = std::max(0.0, static_cast<double>(lim.rlim_cur) - used);
    avail = avail < 0 ? left : std::min(avail, left);
  }
  return avail;
}

MemoryEstimate estimate_memory(const Config& cfg, const Slab& slab) {
  MemoryEstimate e = estimate_memory(cfg);
  if (slab.whole() || slab.total <= 0) return e;
  // the per-neuron arrays and the groups' blocks scale with the planes held;
  // the per-thread rows and the program do not (kept whole: an upper bound)
  const double share = static_cast<double>(slab.count) / static_cast<double>(slab.total);
  e.neurons *= share;
  e.lattice_bytes *= share;
  if (cfg.model == "groups") {
    e.other_bytes -= groups_block_bytes(cfg) * (1.0 - share);
  }
  if (slab.first + slab.count < slab.total) e.readout_bytes = 0;  // the last rank's
  return e;
}

namespace {

void refuse(const MemoryEstimate& e, double avail, const std::string& whose, const std::string& source) {
  std::ostringstream os;
  os.precision(3);
  os << "not enough memory: " << whose << " needs about " << format_bytes(e.total()) << " (lattice "
     << format_bytes(e.lattice_bytes) << " = " << static_cast<long long>(e.neurons) << " neurons x "
     << e.lattice_bytes / e.neurons << " bytes";
  if (e.readout_bytes > 0) os << ", readout " << format_bytes(e.readout_bytes);
  os << ", other " << format_bytes(e.other_bytes) << "), but " << format_bytes(avail)
     << " are available (" << source << ", or ulimit -v); to fit, " << e.largest_key;
  throw ConfigError(os.str());
}

}  // namespace

void check_memory(const Config& cfg) {
  const MemoryEstimate e = estimate_memory(cfg);
  const double avail = available_memory();
  if (avail < 0 || e.total() <= avail) return;
  refuse(e, avail, "this " + cfg.model + " model", "MemAvailable");
}

void check_memory(const Config& cfg, const Slab& slab, int on_machine) {
  if (slab.whole() && on_machine <= 1) return check_memory(cfg);
  const MemoryEstimate e = estimate_memory(cfg, slab);
  const double avail = available_memory(on_machine);
  if (avail < 0 || e.total() <= avail) return;
  refuse(e, avail,
         "this rank's part of the " + cfg.model + " model (planes " + std::to_string(slab.first) + "-" +
             std::to_string(slab.first + slab.count - 1) + " of " + std::to_string(slab.total) + ", with " +
             std::to_string(on_machine) + " ranks sharing this machine)",
         "its share of MemAvailable");
}

}  // namespace spikecube
