#pragma once
// A one-line progress bar on stderr, redrawn at most ten times a second; shown
// only when stderr is a terminal so logs and pipes stay clean.

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace spikecube::cli {

class Progress {
 public:
  Progress(std::int64_t total, bool enabled) : total_(total), enabled_(enabled && total > 0) {}

  void update(std::int64_t step, double iou100, double fire) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (step < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double frac = static_cast<double>(step) / static_cast<double>(total_);
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = '\0';
    const double rate = secs > 0 ? static_cast<double>(step) / secs : 0.0;
    std::fprintf(stderr, "\r[%s] %3d%% step %lld/%lld  %.0f steps/s  iou100 %.3f  fire %.3f ", bar,
                 static_cast<int>(frac * 100), static_cast<long long>(step), static_cast<long long>(total_), rate,
                 iou100, fire);
    std::fflush(stderr);
    drawn_ = true;
  }

  void finish() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  std::int64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace spikecube::cli
