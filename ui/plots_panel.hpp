#pragma once
// Live plots (Qt Charts): IoU over the last 100 steps and the hidden firing
// rate against the step, and for lattices the firing rate per layer z. The
// step axes carry round ticks (ui/axis_ticks.hpp). A box above the charts
// shows the whole run or only its last 1k or 10k steps. The whole run's
// history is thinned (every other point dropped) when it grows long, and the
// last 10k steps are kept at full resolution, so memory and drawing cost
// stay bounded on long runs.

#include <QColor>
#include <QList>
#include <QPointF>
#include <QWidget>
#include <cstdint>
#include <deque>
#include <utility>

#include "ui/snapshot.hpp"

class QCategoryAxis;
class QChart;
class QChartView;
class QComboBox;
class QLineSeries;
class QValueAxis;

namespace spikecube::ui {

class PlotsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PlotsPanel(QWidget* parent = nullptr);
  // Records the snapshot's metrics; redraws at most every ~500 ms while
  // running, at once when paused.
  void add(const Snapshot& s);
  void clear();

  // Steps shown: the last `steps` (0 = the whole run); one of the box's
  // entries (0, 1000, 10000) or any other count up to kMaxWindow.
  void set_window(std::int64_t steps);
  std::int64_t window() const { return window_; }
  static constexpr std::int64_t kMaxWindow = 10'000;

  // What is drawn now (for tests): the IoU and firing series and the step
  // range of their x axes.
  const QLineSeries* iou_series() const { return iou_; }
  const QLineSeries* fire_series() const { return fire_; }
  std::pair<double, double> step_range() const;
  // The lines' colours (drawn without antialiasing, so exactly these pixels).
  static QColor iou_color() { return {40, 150, 70}; }
  static QColor fire_color() { return {200, 60, 40}; }

 private:
  void redraw();
  void draw_window(double& x0, double& x1);
  void set_step_axis(QCategoryAxis* axis, const QChartView* view, double x0, double x1);
  QChartView* make_view(QChart* chart);

  QComboBox* window_box_;
  QLineSeries* iou_;
  QLineSeries* fire_;
  QLineSeries* layers_;
  QCategoryAxis* iou_x_;
  QCategoryAxis* fire_x_;
  QValueAxis* iou_y_;
  QValueAxis* fire_y_;
  QValueAxis* layer_x_;
  QValueAxis* layer_y_;
  QChartView* iou_view_;
  QChartView* fire_view_;
  QChartView* layer_view_;
  QList<QPointF> iou_pts_, fire_pts_, layer_pts_;  // the whole run, thinned
  std::deque<MetricPoint> recent_;                 // the last kMaxWindow steps, every step
  std::int64_t window_ = 0;
  std::int64_t last_step_ = -1;     // newest step recorded
  std::int64_t last_thinned_ = -1;  // newest step kept in the whole-run lists
  std::int64_t stride_ = 1;         // keep every stride-th step there once thinned
  qint64 last_draw_ = 0;
  double fire_max_ = 0.005;
};

}  // namespace spikecube::ui
