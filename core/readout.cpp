#include "core/readout.hpp"

#include <cstdlib>
#include <cstring>

#include "core/rng.hpp"

namespace spikecube {

std::uint64_t hash_bytes(std::uint64_t h, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  // 8 bytes at a time through the 64-bit mixer: fast enough for 20 MB matrices
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = rng::mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  for (; i < size; ++i) h = rng::mix64(h ^ p[i]);
  return h;
}

Readout::Readout(int n, std::int64_t sources, const std::vector<Point>& source_xy, const Config& cfg,
                 std::uint64_t seed)
    : pixels_(n * n), w_(n * n, sources), drive_(n * n) {
  set_rates(cfg.eta_out, cfg.tau_out);
  const std::uint64_t k = rng::key(seed, Stream::kInitReadout, 0);
  const auto sd = static_cast<float>(cfg.readout_init_sd);
  for (std::int64_t j = 0; j < sources; ++j) {
    for (int p = 0; p < pixels_; ++p) {
      w_(p, j) = sd * static_cast<float>(rng::normal(k, static_cast<std::uint64_t>(j * pixels_ + p)));
    }
  }
  if (cfg.readout_radius >= 0) {
    mask_ = Eigen::MatrixXf::Zero(pixels_, sources);
    for (std::int64_t j = 0; j < sources; ++j) {
      const Point s = source_xy[static_cast<std::size_t>(j)];
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
          if (std::abs(x - s.x) <= cfg.readout_radius && std::abs(y - s.y) <= cfg.readout_radius)
            mask_(y * n + x, j) = 1.0f;
    }
    w_.array() *= mask_.array();
  }
}

void Readout::predict(const std::vector<std::int32_t>& active, Frame& out) {
  drive_.setZero();
  // four columns per pass: the sum is still added column by column in index
  // order (same rounding as one column at a time), but four memory streams
  // run at once and the drive is loaded and stored a quarter as often; the
  // readout matrix does not fit in cache, so this is bound by memory
  float* d = drive_.data();
  const auto rows = static_cast<std::size_t>(pixels_);
  std::size_t a = 0;
  for (; a + 4 <= active.size(); a += 4) {
    const float* c0 = w_.col(active[a]).data();
    const float* c1 = w_.col(active[a + 1]).data();
    const float* c2 = w_.col(active[a + 2]).data();
    const float* c3 = w_.col(active[a + 3]).data();
    for (std::size_t p = 0; p < rows; ++p) d[p] = (((d[p] + c0[p]) + c1[p]) + c2[p]) + c3[p];
  }
  for (; a < active.size(); ++a) {
    const float* c = w_.col(active[a]).data();
    for (std::size_t p = 0; p < rows; ++p) d[p] += c[p];
  }
  out.resize(static_cast<std::size_t>(pixels_));
  for (int p = 0; p < pixels_; ++p) out[static_cast<std::size_t>(p)] = drive_[p] > tau_ ? 1 : 0;
}

void Readout::learn(const std::vector<std::int32_t>& active, const Frame& out, const Frame& target) {
  if (eta_ == 0.0f) return;
  // rows with an error are few (a dot and a handful of false alarms)
  std::vector<std::pair<int, float>> err;
  for (int p = 0; p < pixels_; ++p) {
    const int e =
        static_cast<int>(target[static_cast<std::size_t>(p)]) - static_cast<int>(out[static_cast<std::size_t>(p)]);
    if (e != 0) err.emplace_back(p, eta_ * static_cast<float>(e));
  }
  if (err.empty()) return;
  const bool local = mask_.size() > 0;
  for (std::int32_t j : active) {
    float* col = w_.col(j).data();
    for (const auto& [p, d] : err) {
      if (!local || mask_(p, j) != 0.0f) col[p] += d;
    }
  }
}

void Readout::fields(FieldVisitor& v, const std::string& prefix) {
  v.field(prefix + "w_out", std::span<float>(w_.data(), static_cast<std::size_t>(w_.size())), FieldRole::kFrame);
}

}  // namespace spikecube
