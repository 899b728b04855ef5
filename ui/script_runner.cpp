#include "ui/script_runner.hpp"

#include <QDateTime>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <string>

#include "ui/main_window.hpp"
#include "ui/slice_panel.hpp"
#include "ui/view_controls.hpp"
#include "ui/voxel_view.hpp"

namespace spikecube::ui {
namespace {

void print_line(const std::string& text) { std::fprintf(stderr, "spikecube: %s\n", text.c_str()); }

}  // namespace

ScriptRunner::ScriptRunner(MainWindow& window, ScriptOptions options, QObject* parent)
    : QObject(parent), window_(window), opt_(std::move(options)) {
  window_.set_scripted(true);
  connect(&window_, &MainWindow::polled, this, &ScriptRunner::on_poll);
  connect(&window_, &MainWindow::worker_message, this, &ScriptRunner::on_message);
}

void ScriptRunner::start() {
  active_ = true;
  exit_code_ = 0;
  target_ = opt_.steps.value_or(0);
  start_step_ = window_.snapshot().step;
  start_ms_ = QDateTime::currentMSecsSinceEpoch();
  frames_ = window_.voxel_view()->frames_total();
  rates_.clear();
  if (opt_.group_lines) window_.view_controls()->set_group_lines(true);
  if (opt_.group_colour) window_.view_controls()->set_group_colour(true);
  // scripted runs (tests, setup.sh) go flat out unless a pace is asked for
  window_.set_speed(opt_.speed.value_or(0));
  if (target_ > 0) window_.worker().run_until(target_);
}

void ScriptRunner::on_message(const WorkerMessage& m) {
  if (m.kind != WorkerMessage::Kind::kInfo) exit_code_ = 1;
  if (m.kind == WorkerMessage::Kind::kDiverged) target_ = 0;  // stop waiting
}

void ScriptRunner::on_poll(bool fresh_snapshot) {
  if (!active_) return;
  const Snapshot& snap = window_.snapshot();
  if (fresh_snapshot && snap.running && snap.steps_per_s > 0 && (rates_.empty() || rates_.back() != snap.steps_per_s))
    rates_.push_back(snap.steps_per_s);
  if (snap.seq > 0 && !snap.running && snap.step >= target_) finish();
}

void ScriptRunner::finish() {
  active_ = false;
  end_ms_ = QDateTime::currentMSecsSinceEpoch();
  frames_ = window_.voxel_view()->frames_total() - frames_;
  // make sure the view shows the final state, give the renderer a few frames,
  // then capture
  window_.voxel_view()->show_snapshot(window_.snapshot(), true);
  QTimer::singleShot(300, this, &ScriptRunner::save_images);
}

// The 3D view, then the whole window, then the slice and the summary; each
// image is taken when the one before it is written.
void ScriptRunner::save_images() {
  auto rest = [this] {
    save_slice();
    print_summary();
    Q_EMIT finished(exit_code_);
  };
  auto report = [this](bool ok, const QString& msg) {
    print_line(msg.toStdString());
    if (!ok) exit_code_ = 1;
  };
  auto window_shot = [this, rest, report] {
    if (opt_.screenshot_window.empty()) return rest();
    window_.save_window_screenshot(QString::fromStdString(opt_.screenshot_window),
                                   [rest, report](bool ok, const QString& msg) {
                                     report(ok, msg);
                                     rest();
                                   });
  };
  if (opt_.screenshot.empty()) return window_shot();
  window_.save_screenshot(QString::fromStdString(opt_.screenshot), [window_shot, report](bool ok, const QString& msg) {
    report(ok, msg);
    window_shot();
  });
}

void ScriptRunner::save_slice() {
  if (!opt_.slice) return;
  window_.slice_panel()->set_plane(opt_.slice->axis, opt_.slice->index);
  const QString err = window_.save_slice(QString::fromStdString(opt_.slice->path));
  if (!err.isEmpty()) {
    print_line(err.toStdString());
    exit_code_ = 1;
  } else {
    print_line("saved " + opt_.slice->path);
  }
}

// Only what was measured: the run averages need steps run, the steady rate
// at least one of the worker's half-second windows while running.
void ScriptRunner::print_summary() {
  const Snapshot& snap = window_.snapshot();
  const double secs = std::max(1e-3, static_cast<double>(end_ms_ - start_ms_) / 1000.0);
  char buf[160];
  std::snprintf(buf, sizeof buf, "step %lld, IoU100 %.3f, firing %.4f", static_cast<long long>(snap.step),
                snap.metrics.iou100, snap.metrics.fire);
  std::string line = buf;
  const std::int64_t ran = snap.step - start_step_;
  if (ran > 0) {
    std::snprintf(buf, sizeof buf, ", steps_per_s %.0f", static_cast<double>(ran) / secs);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, ", frames_per_s %.1f (run averages)", static_cast<double>(frames_) / secs);
  line += buf;
  // steady state: median of the half-second rates (start-up excluded)
  std::vector<double> r = rates_;
  if (r.size() > 2) r.erase(r.begin());
  if (!r.empty()) {
    std::sort(r.begin(), r.end());
    std::snprintf(buf, sizeof buf, ", steady steps_per_s %.0f", r[r.size() / 2]);
    line += buf;
  }
  std::snprintf(buf, sizeof buf, ", visible voxels %d", window_.voxel_view()->visible_voxels());
  line += buf;
  print_line(line);
}

}  // namespace spikecube::ui
