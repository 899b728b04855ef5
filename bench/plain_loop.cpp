// bench-plain-loop: the cube benchmark scenario (`spikecube-cli bench --model
// cube`, docs/cube.md "Benchmark") written as the straightforward dense loop
// any user could write: std::vector<float>, six weight arrays, every neuron
// and every link visited every step, no intrinsics, no blocking, no skipping
// of quiet regions, built with the project's flags. It uses no engine code:
// it is the yardstick the README's Performance section measures the engine
// against.
//
// Same model as the engine: LIF v <- rho v + I, fixed threshold, reset,
// refractory steps; I = the six in-links' weights times the neighbours' last
// spikes + the input on face z = 0 + bias + Gaussian noise; pair STDP on every
// link with one trace per neuron (tau+ = tau-, so pre and post traces are the
// same number), dw = A+ x_j s_i - A- x_i s_j, clipped to [0, w_max], from the
// traces as they stood before this step's spikes. The noise has the engine's
// distribution (the sum of four random bytes, scaled to unit variance) drawn
// from one sequential xorshift stream; the numbers differ from the engine's,
// the statistics and the work do not.
//
// Usage: bench-plain-loop [--n 48] [--L 48] [--steps 2000] [--warmup 200] [--seed 0] [--json FILE]
// (--json appends the record `spikecube-cli bench --json` writes, with model "plain_loop").
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/bench_record.hpp"

namespace {

struct Options {
  int n = 48;
  int depth = 48;
  long steps = 2000;
  long warmup = 200;
  std::uint64_t seed = 0;
  std::string json_path;
};

// The scenario's parameters (cube_benchmark_config in core/cube_model.cpp).
constexpr float kRho = 0.9f, kBias = 0.05f, kNoise = 0.2f, kTheta = 1.0f, kReset = 0.0f;
constexpr int kRefractory = 3;
constexpr float kWLo = 0.08f, kWHi = 0.12f, kWMax = 0.25f, kInputGain = 2.0f;
constexpr float kTau = 20.0f, kAPlus = 0.0025f, kAMinus = 1.05f * 0.0025f;

struct XorShift {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // mean 0, variance 1: four bytes of 0..255 sum to mean 510, variance 4 (256^2 - 1) / 12
  float normal() {
    const std::uint64_t h = next();
    const auto sum = static_cast<float>((h & 0xff) + ((h >> 8) & 0xff) + ((h >> 16) & 0xff) + ((h >> 24) & 0xff));
    return (sum - 510.0f) * (1.0f / 147.7993f);
  }
};

// Six neighbour directions: +x, -x, +y, -y, +z, -z.
enum Dir { kXp, kXm, kYp, kYm, kZp, kZm };

// The lattice with a one-neuron border of "ghost" neurons that never spike
// and keep a zero trace (the usual way to write a stencil without bounds
// checks): a link from a ghost has weight 0 and STDP never changes it (both
// of its terms are 0), so the loops run over whole rows without branches.
struct Cube {
  int n, depth;
  std::int64_t px, pxy;  // strides of y and z in the padded arrays
  std::int64_t links = 0;
  // w[d][i]: weight of the link into neuron i from its neighbour in direction d
  std::vector<float> w[6];
  std::vector<float> v, trace, noise;
  std::vector<float> spike, last_spike;  // 0 or 1
  std::vector<int> refr;                 // steps of refractoriness left
  std::int64_t index(int x, int y, int z) const { return (z + 1) * pxy + (y + 1) * px + (x + 1); }
};

bool parse(int argc, char** argv, Options& o) {
  for (int a = 1; a < argc; ++a) {
    const std::string flag = argv[a];
    if (a + 1 >= argc) {
      std::fprintf(stderr, "bench-plain-loop: %s needs a value\n", flag.c_str());
      return false;
    }
    if (flag == "--json") {
      o.json_path = argv[++a];
      continue;
    }
    char* end = nullptr;
    const long long value = std::strtoll(argv[++a], &end, 10);
    if (*end != '\0') {
      std::fprintf(stderr, "bench-plain-loop: %s %s: expected an integer\n", flag.c_str(), argv[a]);
      return false;
    }
    auto in = [&](long long lo, long long hi) {
      if (value >= lo && value <= hi) return true;
      std::fprintf(stderr, "bench-plain-loop: %s %lld: expected a value in [%lld, %lld]\n", flag.c_str(), value, lo,
                   hi);
      return false;
    };
    if (flag == "--n") {
      if (!in(3, 512)) return false;
      o.n = static_cast<int>(value);
    } else if (flag == "--L") {
      if (!in(1, 512)) return false;
      o.depth = static_cast<int>(value);
    } else if (flag == "--steps") {
      if (!in(1, 1000000000)) return false;
      o.steps = static_cast<long>(value);
    } else if (flag == "--warmup") {
      if (!in(0, 1000000000)) return false;
      o.warmup = static_cast<long>(value);
    } else if (flag == "--seed") {
      if (!in(0, 1LL << 62)) return false;
      o.seed = static_cast<std::uint64_t>(value);
    } else {
      std::fprintf(stderr,
                   "bench-plain-loop: unknown flag %s; expected --n, --L, --steps, --warmup, --seed or --json\n",
                   flag.c_str());
      return false;
    }
  }
  return true;
}

Cube make_cube(const Options& o, XorShift& rng) {
  Cube c{};
  c.n = o.n;
  c.depth = o.depth;
  c.px = o.n + 2;
  c.pxy = c.px * (o.n + 2);
  const auto padded = static_cast<std::size_t>(c.pxy * (o.depth + 2));
  for (auto& wd : c.w) wd.assign(padded, 0.0f);
  for (int z = 0; z < o.depth; ++z)
    for (int y = 0; y < o.n; ++y)
      for (int x = 0; x < o.n; ++x) {
        const bool exists[6] = {x + 1 < o.n, x > 0, y + 1 < o.n, y > 0, z + 1 < o.depth, z > 0};
        for (int d = 0; d < 6; ++d)
          if (exists[d]) {
            c.w[d][static_cast<std::size_t>(c.index(x, y, z))] = std::min(kWLo + (kWHi - kWLo) * rng.uniform(), kWMax);
            ++c.links;
          }
      }
  c.v.assign(padded, 0.0f);
  c.trace.assign(padded, 0.0f);
  c.noise.assign(padded, 0.0f);
  c.spike.assign(padded, 0.0f);
  c.last_spike.assign(padded, 0.0f);
  c.refr.assign(padded, 0);
  return c;
}

// A dot that starts on the edge y = 0 and moves diagonally, reflecting at the faces.
struct Dot {
  int x, y, vx, vy;
  void advance(int n) {
    x += vx;
    y += vy;
    if (x < 0 || x >= n) vx = -vx, x += 2 * vx;
    if (y < 0 || y >= n) vy = -vy, y += 2 * vy;
  }
};

// The new weight of link j -> i: dw = A+ x_j s_i - A- x_i s_j, from the
// traces before this step's spikes.
inline float stdp(float w, float x_j, float x_i, float s_j, float s_i) {
  return std::clamp(w + kAPlus * x_j * s_i - kAMinus * x_i * s_j, 0.0f, kWMax);
}

// The six in-link weight arrays, +x, -x, +y, -y, +z, -z.
struct Links {
  float* xp;
  float* xm;
  float* yp;
  float* ym;
  float* zp;
  float* zm;
};

// Currents, membrane and spikes of the neurons [begin, end) of one row (sy,
// sz: the strides of y and z). The six links are written out term by term,
// as one writes a 7-point stencil, and the arrays are declared not to overlap
// (g++ takes __restrict from function parameters only): without that it gives
// up on the run-time overlap checks of so many arrays and does not vectorise.
std::int64_t integrate_row(std::int64_t begin, std::int64_t end, std::int64_t sy, std::int64_t sz,
                           const float* __restrict wxp, const float* __restrict wxm, const float* __restrict wyp,
                           const float* __restrict wym, const float* __restrict wzp, const float* __restrict wzm,
                           const float* __restrict last, float* __restrict now, float* __restrict v,
                           int* __restrict refr, const float* __restrict noise, std::int64_t input_at) {
  std::int64_t spikes = 0;
  for (std::int64_t i = begin; i < end; ++i) {
    const float current = wxp[i] * last[i + 1] + wxm[i] * last[i - 1] + wyp[i] * last[i + sy] + wym[i] * last[i - sy] +
                          wzp[i] * last[i + sz] + wzm[i] * last[i - sz] + (i == input_at ? kInputGain : 0.0f) + kBias +
                          kNoise * noise[i];
    const float vi = kRho * v[i] + current;
    const int r = refr[i];
    const bool resting = r > 0;
    const bool fire = !resting & (vi >= kTheta);
    v[i] = (resting | fire) ? kReset : vi;
    refr[i] = fire ? kRefractory : r - (resting ? 1 : 0);
    now[i] = fire ? 1.0f : 0.0f;
    spikes += fire ? 1 : 0;
  }
  return spikes;
}

// Pair STDP on the in-links of the neurons [begin, end) of one row.
void stdp_row(std::int64_t begin, std::int64_t end, std::int64_t sy, std::int64_t sz, float* __restrict wxp,
              float* __restrict wxm, float* __restrict wyp, float* __restrict wym, float* __restrict wzp,
              float* __restrict wzm, const float* __restrict tr, const float* __restrict now) {
  for (std::int64_t i = begin; i < end; ++i) {
    wxp[i] = stdp(wxp[i], tr[i + 1], tr[i], now[i + 1], now[i]);
    wxm[i] = stdp(wxm[i], tr[i - 1], tr[i], now[i - 1], now[i]);
    wyp[i] = stdp(wyp[i], tr[i + sy], tr[i], now[i + sy], now[i]);
    wym[i] = stdp(wym[i], tr[i - sy], tr[i], now[i - sy], now[i]);
    wzp[i] = stdp(wzp[i], tr[i + sz], tr[i], now[i + sz], now[i]);
    wzm[i] = stdp(wzm[i], tr[i - sz], tr[i], now[i - sz], now[i]);
  }
}

// One step; returns the number of spikes.
std::int64_t step(Cube& c, const Dot& dot, XorShift& rng, float decay) {
  const int n = c.n;
  const std::int64_t sy = c.px, sz = c.pxy;
  const Links w{c.w[kXp].data(), c.w[kXm].data(), c.w[kYp].data(), c.w[kYm].data(), c.w[kZp].data(), c.w[kZm].data()};
  float* now = c.spike.data();
  float* noise = c.noise.data();
  const std::int64_t input_at = c.index(dot.x, dot.y, 0);
  std::int64_t spikes = 0;
  for (int z = 0; z < c.depth; ++z)
    for (int y = 0; y < n; ++y) {
      const std::int64_t row = c.index(0, y, z);
      for (std::int64_t i = row; i < row + n; ++i) noise[i] = rng.normal();
      spikes += integrate_row(row, row + n, sy, sz, w.xp, w.xm, w.yp, w.ym, w.zp, w.zm, c.last_spike.data(), now,
                              c.v.data(), c.refr.data(), noise, input_at);
    }
  for (int z = 0; z < c.depth; ++z)
    for (int y = 0; y < n; ++y) {
      const std::int64_t row = c.index(0, y, z);
      stdp_row(row, row + n, sy, sz, w.xp, w.xm, w.yp, w.ym, w.zp, w.zm, c.trace.data(), now);
    }
  float* tr = c.trace.data();
  for (std::size_t i = 0; i < c.trace.size(); ++i) tr[i] = tr[i] * decay + now[i];
  std::swap(c.spike, c.last_spike);
  return spikes;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) return 2;
  std::unique_ptr<spikecube::cli::BenchRecordFile> record;
  try {
    if (!o.json_path.empty()) record = std::make_unique<spikecube::cli::BenchRecordFile>(o.json_path);
  } catch (const spikecube::cli::RecordError& e) {
    std::fprintf(stderr, "bench-plain-loop: %s\n", e.what());
    return 2;
  }
  XorShift rng{0x9e3779b97f4a7c15ULL ^ (o.seed * 0xbf58476d1ce4e5b9ULL + 1)};
  Cube c = make_cube(o, rng);
  const std::int64_t neurons = static_cast<std::int64_t>(o.n) * o.n * o.depth;
  Dot dot{1 + static_cast<int>(rng.next() % static_cast<std::uint64_t>(o.n - 2)), 0, 1, 1};
  const float decay = std::exp(-1.0f / kTau);
  for (long t = 0; t < o.warmup; ++t) {
    step(c, dot, rng, decay);
    dot.advance(o.n);
  }
  std::int64_t spikes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  for (long t = 0; t < o.steps; ++t) {
    spikes += step(c, dot, rng, decay);
    dot.advance(o.n);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // steps per second of process CPU time: the fairer figure on a loaded machine (as the engine's bench prints)
  const double cpu_steps_per_s = static_cast<double>(o.steps) * CLOCKS_PER_SEC / static_cast<double>(std::clock() - c0);
  const double per_step = static_cast<double>(spikes) / static_cast<double>(o.steps);
  double weight_sum = 0;
  for (const auto& wd : c.w)
    for (float w : wd) weight_sum += w;
  std::printf("model=plain_loop n=%d L=%d steps=%ld threads=1\n", o.n, o.depth, o.steps);
  std::printf("links=%lld mean_weight=%.5f\n", static_cast<long long>(c.links),
              weight_sum / static_cast<double>(c.links));
  const double steps_per_s = static_cast<double>(o.steps) / secs;
  const double ns = 1e9 * secs / (static_cast<double>(o.steps) * static_cast<double>(neurons));
  std::printf("cpu_steps_per_s=%.0f\n", cpu_steps_per_s);
  std::printf("steps_per_s=%.0f spikes_per_step=%.2f fire=%.4f ns_per_neuron_step=%.3f\n", steps_per_s, per_step,
              per_step / static_cast<double>(neurons), ns);
  if (record) {
    using spikecube::cli::JsonObject;
    JsonObject options, figures;
    options.add("model", "plain_loop").add("n", o.n).add("L", o.depth).add("steps", static_cast<std::int64_t>(o.steps));
    options.add("warmup", static_cast<std::int64_t>(o.warmup)).add("seed", static_cast<std::int64_t>(o.seed));
    figures.add("steps", static_cast<std::int64_t>(o.steps)).add("threads", 1).add("steps_per_s", steps_per_s);
    figures.add("cpu_steps_per_s", cpu_steps_per_s);
    figures.add("spikes_per_step", per_step).add("spikes_frac", per_step / static_cast<double>(neurons));
    figures.add("ns_per_neuron_step", ns)
        .add("links", c.links)
        .add("mean_weight", weight_sum / static_cast<double>(c.links));
    try {
      record->append(spikecube::cli::bench_record(std::vector<std::string>(argv, argv + argc), options, figures));
    } catch (const spikecube::cli::RecordError& e) {
      std::fprintf(stderr, "bench-plain-loop: %s\n", e.what());
      return 2;
    }
  }
  return 0;
}
