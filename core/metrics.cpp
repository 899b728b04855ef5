#include "core/metrics.hpp"

#include <stdexcept>

namespace spikecube {

double frame_iou(const Frame& a, const Frame& b) {
  int inter = 0, uni = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    inter += a[i] & b[i];
    uni += a[i] | b[i];
  }
  return uni == 0 ? 1.0 : static_cast<double>(inter) / uni;
}

int count_on(const Frame& f) {
  int c = 0;
  for (auto v : f) c += v;
  return c;
}

void IouWindow::push(double iou) {
  ring_[static_cast<std::size_t>(count_ % kWindow)] = iou;
  ++count_;
}

double IouWindow::mean() const {
  const int k = size();
  if (k == 0) return 0.0;
  // summed oldest-first so the value does not depend on where the ring starts
  double s = 0;
  for (double v : values()) s += v;
  return s / k;
}

std::vector<double> IouWindow::values() const {
  const int k = size();
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(k));
  for (std::int64_t i = count_ - k; i < count_; ++i) out.push_back(ring_[static_cast<std::size_t>(i % kWindow)]);
  return out;
}

void IouWindow::restore(const std::vector<double>& values, std::int64_t total_pushed) {
  ring_ = {};
  count_ = total_pushed - static_cast<std::int64_t>(values.size());
  if (count_ < 0 || values.size() > static_cast<std::size_t>(kWindow)) {
    throw std::invalid_argument("iou window: inconsistent state");
  }
  for (double v : values) push(v);
}

void LearningClock::on_step(std::int64_t step, bool input_on, double iou100) {
  if (input_on && !was_on_) {
    // a new return of the input: time the relearning from here
    back_on_ = step;
    resume_[0] = resume_[1] = -1;
  }
  was_on_ = input_on;
  if (!input_on) return;
  // Only windows with the input on for all their steps count: a window of
  // input-off steps scores 1 (nothing to predict, nothing predicted), which
  // says nothing about learning. Since back_on_ is the step after the last
  // off step, a window starting at or after it (and at or after step 1) is
  // all input-on.
  const std::int64_t window_start = step - (IouWindow::kWindow - 1);
  const bool window_all_on = window_start >= 1 && window_start >= back_on_;
  for (int i = 0; i < 2; ++i) {
    if (iou100 < kLevels[i] || !window_all_on) continue;
    if (first_[i] < 0) first_[i] = step;
    if (back_on_ > 0 && resume_[i] < 0) {
      resume_[i] = step - (back_on_ - 1);
    }
  }
}

namespace {
int level_index(double level) { return level >= 0.8 ? 1 : 0; }
}  // namespace

std::int64_t LearningClock::first(double level) const { return first_[level_index(level)]; }
std::int64_t LearningClock::resume(double level) const { return resume_[level_index(level)]; }

std::vector<std::int64_t> LearningClock::state() const {
  return {first_[0], first_[1], resume_[0], resume_[1], back_on_, was_on_ ? 1 : 0};
}

void LearningClock::set_state(const std::vector<std::int64_t>& s) {
  if (s.size() != 6) throw std::invalid_argument("learning clock: inconsistent state");
  first_[0] = s[0];
  first_[1] = s[1];
  resume_[0] = s[2];
  resume_[1] = s[3];
  back_on_ = s[4];
  was_on_ = s[5] != 0;
}

}  // namespace spikecube
