#pragma once
// Live plots (Qt Charts): IoU over the last 100 steps and the hidden firing
// rate against the step, and for lattices the firing rate per layer z. The
// history is thinned (every other point dropped) when it grows long, so
// memory and drawing cost stay bounded on long runs.

#include <QList>
#include <QPointF>
#include <QWidget>

#include "ui/snapshot.hpp"

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace spikecube::ui {

class PlotsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PlotsPanel(QWidget* parent = nullptr);
  // Records the snapshot's metrics; redraws at most every ~100 ms.
  void add(const Snapshot& s);
  void clear();

 private:
  void redraw();
  QChartView* make_view(QChart* chart);

  QLineSeries* iou_;
  QLineSeries* fire_;
  QLineSeries* layers_;
  QValueAxis* iou_x_;
  QValueAxis* fire_x_;
  QValueAxis* fire_y_;
  QValueAxis* layer_x_;
  QValueAxis* layer_y_;
  QChartView* layer_view_;
  QList<QPointF> iou_pts_, fire_pts_, layer_pts_;
  std::int64_t last_step_ = -1;
  std::int64_t stride_ = 1;  // keep every stride-th step once thinned
  qint64 last_draw_ = 0;
  double fire_max_ = 0.05;
};

}  // namespace spikecube::ui
