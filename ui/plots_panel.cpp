#include "ui/plots_panel.hpp"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>

namespace spikecube::ui {
namespace {
constexpr qsizetype kMaxPoints = 1000;

QChart* make_chart(const QString& title, QLineSeries* series, QValueAxis* x, QValueAxis* y, const QColor& color) {
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->legend()->hide();
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  QPen pen(color);
  pen.setWidthF(1.6);
  series->setPen(pen);
  chart->addSeries(series);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  x->setLabelFormat(QStringLiteral("%d"));
  x->setTickCount(5);
  y->setTickCount(5);
  return chart;
}
}  // namespace

PlotsPanel::PlotsPanel(QWidget* parent) : QWidget(parent) {
  iou_ = new QLineSeries(this);
  fire_ = new QLineSeries(this);
  layers_ = new QLineSeries(this);
  iou_x_ = new QValueAxis(this);
  fire_x_ = new QValueAxis(this);
  fire_y_ = new QValueAxis(this);
  layer_x_ = new QValueAxis(this);
  layer_y_ = new QValueAxis(this);
  auto* iou_y = new QValueAxis(this);
  iou_y->setRange(0, 1);
  iou_x_->setTitleText(QStringLiteral("step"));
  fire_x_->setTitleText(QStringLiteral("step"));
  layer_x_->setTitleText(QStringLiteral("layer z"));
  layer_x_->setLabelFormat(QStringLiteral("%d"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(make_view(make_chart(QStringLiteral("IoU (last 100 steps)"), iou_, iou_x_, iou_y, QColor(40, 150, 70))));
  layout->addWidget(make_view(make_chart(QStringLiteral("firing rate (hidden)"), fire_, fire_x_, fire_y_, QColor(200, 60, 40))));
  layer_view_ = make_view(make_chart(QStringLiteral("firing rate per layer"), layers_, layer_x_, layer_y_, QColor(60, 80, 200)));
  layout->addWidget(layer_view_);
  layer_view_->hide();
  clear();
}

QChartView* PlotsPanel::make_view(QChart* chart) {
  auto* view = new QChartView(chart, this);
  view->setRenderHint(QPainter::Antialiasing, false);  // cheaper repaints; lines stay readable
  view->setMinimumHeight(150);
  return view;
}

void PlotsPanel::clear() {
  iou_pts_.clear();
  fire_pts_.clear();
  layer_pts_.clear();
  last_step_ = -1;
  stride_ = 1;
  fire_max_ = 0.05;
  last_draw_ = 0;
  redraw();
}

void PlotsPanel::add(const Snapshot& s) {
  for (const MetricPoint& m : s.history) {
    if (m.step <= last_step_ || (last_step_ >= 0 && m.step - last_step_ < stride_)) continue;
    last_step_ = m.step;
    iou_pts_.append(QPointF(static_cast<double>(m.step), m.iou100));
    fire_pts_.append(QPointF(static_cast<double>(m.step), m.fire));
    fire_max_ = std::max(fire_max_, m.fire * 1.1);
    if (iou_pts_.size() > kMaxPoints) {
      // thin: keep every other point, and sample half as often from now on
      QList<QPointF> a, b;
      for (qsizetype i = 0; i < iou_pts_.size(); i += 2) {
        a.append(iou_pts_[i]);
        b.append(fire_pts_[i]);
      }
      iou_pts_.swap(a);
      fire_pts_.swap(b);
      stride_ *= 2;
    }
  }
  layer_pts_.clear();
  for (std::size_t z = 0; z < s.layer_rates.size(); ++z) layer_pts_.append(QPointF(static_cast<double>(z), s.layer_rates[z]));
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  if (now - last_draw_ >= 500 || !s.running) redraw();  // chart repaints are costly in software
}

void PlotsPanel::redraw() {
  last_draw_ = QDateTime::currentMSecsSinceEpoch();
  iou_->replace(iou_pts_);
  fire_->replace(fire_pts_);
  const double x1 = std::max(100.0, iou_pts_.isEmpty() ? 100.0 : iou_pts_.back().x());
  iou_x_->setRange(0, x1);
  fire_x_->setRange(0, x1);
  fire_y_->setRange(0, fire_max_);
  layer_view_->setVisible(layer_pts_.size() > 1);
  if (layer_pts_.size() > 1) {
    layers_->replace(layer_pts_);
    double m = 0.01;
    for (const auto& p : layer_pts_) m = std::max(m, p.y() * 1.1);
    layer_x_->setRange(0, static_cast<double>(layer_pts_.size() - 1));
    layer_y_->setRange(0, m);
  }
}

}  // namespace spikecube::ui
