#pragma once
// Learning metrics shared by every model: per-step IoU of prediction and
// target, its mean over the last 100 steps (iou100), and the learning times
// first_iou80 / resume_iou80 as the original experiment defined them.

#include <array>
#include <cstdint>
#include <vector>

#include "core/frame.hpp"

namespace spikecube {

// IoU of two binary frames; 1 when both are empty (nothing to predict and
// nothing predicted counts as a perfect step).
double frame_iou(const Frame& a, const Frame& b);
int count_on(const Frame& f);

class IouWindow {
 public:
  static constexpr int kWindow = 100;
  void push(double iou);
  // Mean of the last min(100, pushed) values.
  double mean() const;
  int size() const { return count_ < kWindow ? static_cast<int>(count_) : kWindow; }
  std::vector<double> values() const;  // oldest first, for checkpoints
  void restore(const std::vector<double>& values, std::int64_t total_pushed);
  std::int64_t total() const { return count_; }

 private:
  std::array<double, kWindow> ring_{};
  std::int64_t count_ = 0;
};

// Tracks when iou100 first reaches a level, counting only windows in which
// the input was on for all 100 steps: after the start (first) and after the
// step the input last came back (first and resume). So neither can be below
// 100, and a window of silent input-off steps (which scores 1) never counts.
class LearningClock {
 public:
  void on_step(std::int64_t step, bool input_on, double iou100);
  std::int64_t first(double level) const;   // step number, or -1
  std::int64_t resume(double level) const;  // steps after the last off step, or -1
  bool resumed() const { return back_on_ > 0; }
  std::vector<std::int64_t> state() const;
  void set_state(const std::vector<std::int64_t>& s);

 private:
  static constexpr double kLevels[2] = {0.5, 0.8};
  std::int64_t first_[2] = {-1, -1};
  std::int64_t resume_[2] = {-1, -1};
  std::int64_t back_on_ = 0;  // step at which the input last came back on
  bool was_on_ = true;
};

}  // namespace spikecube
