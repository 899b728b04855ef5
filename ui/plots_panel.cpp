#include "ui/plots_panel.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "ui/axis_ticks.hpp"

namespace spikecube::ui {
namespace {
constexpr qsizetype kMaxPoints = 1000;  // per series; more is not visible at dock width
constexpr double kLabelWidthPx = 42;    // room one step label needs ("12.5k" plus a gap)
constexpr double kLabelHeightPx = 24;   // room one value label needs; Qt elides taller ones to "..."

// How many labels fit along a plot's width or height (the plot's area is
// known once the chart is laid out; before that, five).
int labels_across(const QChartView* v) {
  const double w = v->chart()->plotArea().width();
  return w > 0 ? std::clamp(static_cast<int>(w / kLabelWidthPx), 2, 8) : 5;
}
int labels_up(const QChartView* v) {
  const double h = v->chart()->plotArea().height();
  return h > 0 ? std::clamp(static_cast<int>(h / kLabelHeightPx) + 1, 2, 5) : 5;
}

// 0..max with round ticks, as many as fit the chart's height
void set_rate_axis(QValueAxis* axis, const QChartView* view, double max) {
  axis->setRange(0, max);
  axis->setTickCount(labels_up(view));
  axis->applyNiceNumbers();  // 0, 0.02, 0.04 rather than 0.013, 0.025
}

QChart* make_chart(const QString& title, QLineSeries* series, QValueAxis* x, QValueAxis* y, const QColor& color) {
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->legend()->hide();
  chart->setMargins(QMargins(2, 2, 12, 2));  // room for the last step label, centred on the axis end
  chart->setBackgroundRoundness(0);
  QPen pen(color);
  pen.setWidthF(1.6);
  series->setPen(pen);
  chart->addSeries(series);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  y->setTickCount(5);
  return chart;
}

QCategoryAxis* make_step_axis(QObject* parent) {
  auto* axis = new QCategoryAxis(parent);
  axis->setTitleText(QStringLiteral("step"));
  axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);  // a label marks its tick
  return axis;
}

}  // namespace

PlotsPanel::PlotsPanel(QWidget* parent) : QWidget(parent) {
  iou_ = new QLineSeries(this);
  fire_ = new QLineSeries(this);
  layers_ = new QLineSeries(this);
  iou_x_ = make_step_axis(this);
  fire_x_ = make_step_axis(this);
  fire_y_ = new QValueAxis(this);
  layer_x_ = new QValueAxis(this);
  layer_y_ = new QValueAxis(this);
  iou_y_ = new QValueAxis(this);
  iou_y_->setRange(0, 1);
  layer_x_->setTitleText(QStringLiteral("layer z"));
  layer_x_->setLabelFormat(QStringLiteral("%d"));
  layer_x_->setTickType(QValueAxis::TicksDynamic);  // whole layers only
  layer_x_->setTickAnchor(0);

  window_box_ = new QComboBox(this);
  window_box_->addItem(QStringLiteral("whole run"), QVariant::fromValue<qlonglong>(0));
  window_box_->addItem(QStringLiteral("last 1k steps"), QVariant::fromValue<qlonglong>(1000));
  window_box_->addItem(QStringLiteral("last 10k steps"), QVariant::fromValue<qlonglong>(kMaxWindow));
  window_box_->setToolTip(QStringLiteral("steps shown in the step plots"));
  connect(window_box_, &QComboBox::activated, this,
          [this](int i) { set_window(window_box_->itemData(i).toLongLong()); });
  auto* top = new QHBoxLayout();
  top->setContentsMargins(4, 2, 4, 0);
  top->addWidget(new QLabel(QStringLiteral("show"), this));
  top->addWidget(window_box_);
  top->addStretch(1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(top);
  iou_view_ = make_view(make_chart(QStringLiteral("IoU (last 100 steps)"), iou_, iou_x_, iou_y_, iou_color()));
  fire_view_ = make_view(make_chart(QStringLiteral("firing rate (hidden)"), fire_, fire_x_, fire_y_, fire_color()));
  layer_view_ =
      make_view(make_chart(QStringLiteral("firing rate per layer"), layers_, layer_x_, layer_y_, QColor(60, 80, 200)));
  layout->addWidget(iou_view_);
  layout->addWidget(fire_view_);
  layout->addWidget(layer_view_);
  layer_view_->hide();
  setMinimumWidth(260);  // room for four or five step labels
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
  recent_.clear();
  last_step_ = -1;
  last_thinned_ = -1;
  stride_ = 1;
  fire_max_ = 0.005;
  last_draw_ = 0;
  redraw();
}

void PlotsPanel::set_window(std::int64_t steps) {
  window_ = std::clamp<std::int64_t>(steps, 0, kMaxWindow);
  const int i = window_box_->findData(QVariant::fromValue<qlonglong>(window_));
  if (i >= 0) window_box_->setCurrentIndex(i);
  redraw();
}

std::pair<double, double> PlotsPanel::step_range() const { return {iou_x_->min(), iou_x_->max()}; }

void PlotsPanel::add(const Snapshot& s) {
  for (const MetricPoint& m : s.history) {
    if (m.step <= last_step_) continue;
    last_step_ = m.step;
    recent_.push_back(m);
    fire_max_ = std::max(fire_max_, m.fire * 1.1);
    if (last_thinned_ >= 0 && m.step - last_thinned_ < stride_) continue;
    last_thinned_ = m.step;
    iou_pts_.append(QPointF(static_cast<double>(m.step), m.iou100));
    fire_pts_.append(QPointF(static_cast<double>(m.step), m.fire));
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
  while (!recent_.empty() && recent_.front().step <= last_step_ - kMaxWindow) recent_.pop_front();
  layer_pts_.clear();
  for (std::size_t z = 0; z < s.layer_rates.size(); ++z)
    layer_pts_.append(QPointF(static_cast<double>(z), s.layer_rates[z]));
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  if (now - last_draw_ >= 500 || !s.running) redraw();  // chart repaints are costly in software
}

// The last window_ steps from the full-resolution buffer, at most kMaxPoints
// of them.
void PlotsPanel::draw_window(double& x0, double& x1) {
  const std::int64_t first = std::max<std::int64_t>(0, last_step_ - window_ + 1);
  auto begin = std::lower_bound(recent_.begin(), recent_.end(), first,
                                [](const MetricPoint& m, std::int64_t step) { return m.step < step; });
  const auto count = static_cast<qsizetype>(recent_.end() - begin);
  const qsizetype every = std::max<qsizetype>(1, (count + kMaxPoints - 1) / kMaxPoints);
  // sampled from the newest step back, so the line always ends at the current step
  QList<QPointF> iou, fire;
  for (qsizetype i = (count - 1) % every; i < count; i += every) {
    const MetricPoint& m = begin[static_cast<std::ptrdiff_t>(i)];
    iou.append(QPointF(static_cast<double>(m.step), m.iou100));
    fire.append(QPointF(static_cast<double>(m.step), m.fire));
  }
  iou_->replace(iou);
  fire_->replace(fire);
  // a fixed-width window, so the axis does not rescale while it slides
  x1 = std::max(static_cast<double>(window_), static_cast<double>(last_step_));
  x0 = x1 - static_cast<double>(window_);
}

void PlotsPanel::redraw() {
  last_draw_ = QDateTime::currentMSecsSinceEpoch();
  double x0 = 0, x1 = 100;
  if (window_ > 0) {
    draw_window(x0, x1);
  } else {
    QList<QPointF> iou = iou_pts_, fire = fire_pts_;
    if (!recent_.empty() && recent_.back().step > last_thinned_) {  // the line reaches the current step
      iou.append(QPointF(static_cast<double>(recent_.back().step), recent_.back().iou100));
      fire.append(QPointF(static_cast<double>(recent_.back().step), recent_.back().fire));
    }
    iou_->replace(iou);
    fire_->replace(fire);
    x1 = std::max(100.0, static_cast<double>(last_step_));
  }
  set_step_axis(iou_x_, iou_view_, x0, x1);
  set_step_axis(fire_x_, fire_view_, x0, x1);
  const int iou_labels = labels_up(iou_view_);
  iou_y_->setTickCount(iou_labels >= 5 ? 5 : iou_labels >= 3 ? 3 : 2);  // quarters, halves or 0 and 1
  set_rate_axis(fire_y_, fire_view_, fire_max_);
  layer_view_->setVisible(layer_pts_.size() > 1);
  if (layer_pts_.size() > 1) {
    layers_->replace(layer_pts_);
    double m = 0.01;
    for (const auto& p : layer_pts_) m = std::max(m, p.y() * 1.1);
    const double last_layer = static_cast<double>(layer_pts_.size() - 1);
    layer_x_->setRange(0, last_layer);
    layer_x_->setTickInterval(round_tick_spacing(last_layer, labels_across(layer_view_)));
    set_rate_axis(layer_y_, layer_view_, m);
  }
}

void PlotsPanel::set_step_axis(QCategoryAxis* axis, const QChartView* view, double x0, double x1) {
  const int max_ticks = labels_across(view);
  for (const QString& label : axis->categoriesLabels()) axis->remove(label);
  axis->setStartValue(x0);
  axis->setRange(x0, x1);
  for (const AxisTick& t : round_ticks(x0, x1, max_ticks)) axis->append(QString::fromStdString(t.label), t.value);
}

}  // namespace spikecube::ui
