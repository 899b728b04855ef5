#include "ui/view_controls.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>

#include "ui/voxel_view.hpp"

namespace spikecube::ui {

ViewControls::ViewControls(VoxelView* view, QWidget* parent) : QWidget(parent), view_(view) {
  active_ = new QCheckBox(QStringLiteral("active only"), this);
  active_->setToolTip(QStringLiteral("show only neurons that spiked recently or whose v/θ is above the cut"));
  cut_ = new QDoubleSpinBox(this);
  cut_->setRange(-2.0, 2.0);
  cut_->setSingleStep(0.05);
  cut_->setValue(0.9);
  cut_->setPrefix(QStringLiteral("v/θ ≥ "));
  cut_->setToolTip(QStringLiteral("potential cut of active-only mode (1 = threshold)"));
  budget_ = new QSpinBox(this);
  budget_->setRange(500, 500000);
  budget_->setSingleStep(1000);
  budget_->setValue(VoxelOptions{}.max_voxels);
  budget_->setPrefix(QStringLiteral("max "));
  budget_->setToolTip(
      QStringLiteral("active only: draw at most this many neurons (spikes first, then the highest "
                     "potentials); keeps software rendering fluid"));
  axis_ = new QComboBox(this);
  axis_->addItems({QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")});
  axis_->setCurrentIndex(2);
  axis_->setToolTip(QStringLiteral("axis of the slab: only neurons with lo <= coordinate <= hi are drawn"));
  lo_ = new QSpinBox(this);
  hi_ = new QSpinBox(this);
  transparent_ = new QCheckBox(QStringLiteral("transparent"), this);
  points_ = new QCheckBox(QStringLiteral("points"), this);
  points_->setToolTip(QStringLiteral("draw each neuron as a round point (cheaper than cubes)"));
  group_lines_ = new QCheckBox(QStringLiteral("groups"), this);
  group_lines_->setToolTip(QStringLiteral("outline the all-to-all groups that hold a shown neuron (groups model)"));
  group_colour_ = new QCheckBox(QStringLiteral("group mean"), this);
  group_colour_->setToolTip(QStringLiteral("colour each neuron by its group's mean v/θ (groups model)"));
  set_group_size(0);
  auto* reset = new QPushButton(QStringLiteral("Reset camera"), this);
  reset->setToolTip(QStringLiteral("back to the default view (drag: orbit, wheel: zoom)"));

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(2, 0, 2, 0);
  layout->addWidget(active_);
  layout->addWidget(cut_);
  layout->addWidget(budget_);
  layout->addSpacing(8);
  layout->addWidget(new QLabel(QStringLiteral("slab"), this));
  layout->addWidget(axis_);
  layout->addWidget(lo_);
  layout->addWidget(new QLabel(QStringLiteral("–"), this));
  layout->addWidget(hi_);
  layout->addSpacing(8);
  layout->addWidget(transparent_);
  layout->addWidget(points_);
  layout->addWidget(group_lines_);
  layout->addWidget(group_colour_);
  layout->addStretch(1);
  layout->addWidget(reset);

  connect(active_, &QCheckBox::toggled, this, [this] { apply(); });
  connect(cut_, &QDoubleSpinBox::valueChanged, this, [this] { apply(); });
  connect(budget_, &QSpinBox::valueChanged, this, [this] { apply(); });
  connect(axis_, &QComboBox::currentIndexChanged, this, [this] { set_dims(dims_); });
  connect(lo_, &QSpinBox::valueChanged, this, [this] { apply(); });
  connect(hi_, &QSpinBox::valueChanged, this, [this] { apply(); });
  connect(transparent_, &QCheckBox::toggled, view_, &VoxelView::set_transparent);
  connect(points_, &QCheckBox::toggled, view_, &VoxelView::set_point_mode);
  connect(group_lines_, &QCheckBox::toggled, this, [this] { apply(); });
  connect(group_colour_, &QCheckBox::toggled, this, [this] { apply(); });
  connect(reset, &QPushButton::clicked, view_, &VoxelView::reset_camera);
}

void ViewControls::set_dims(const Dims& d) {
  const bool changed = d.nx != dims_.nx || d.ny != dims_.ny || d.nz != dims_.nz;
  dims_ = d;
  const int full[3] = {d.nx, d.ny, d.nz};
  const int hi = std::max(0, full[axis_->currentIndex()] - 1);
  {
    const QSignalBlocker b1(lo_), b2(hi_);
    lo_->setRange(0, hi);
    hi_->setRange(0, hi);
    lo_->setValue(0);
    hi_->setValue(hi);
  }
  if (changed) {
    // a lattice of several layers hides its inside: start with active neurons only
    const QSignalBlocker b(active_);
    active_->setChecked(d.nz > 1);
    // and big ones as points: one vertex per neuron instead of a 24-vertex cube
    points_->setChecked(d.count() > 50000);
  }
  apply();
}

void ViewControls::set_active_only(bool on) { active_->setChecked(on); }
void ViewControls::set_point_mode(bool on) { points_->setChecked(on); }

void ViewControls::set_slab(int axis, int lo, int hi) {
  axis_->setCurrentIndex(std::clamp(axis, 0, 2));
  lo_->setValue(lo);
  hi_->setValue(hi);
}

void ViewControls::set_group_size(int g) {
  group_lines_->setEnabled(g > 0);
  group_colour_->setEnabled(g > 0);
  group_lines_->setText(g > 0 ? QStringLiteral("groups %1×%1×%1").arg(g) : QStringLiteral("groups"));
}

void ViewControls::set_group_lines(bool on) { group_lines_->setChecked(on); }
void ViewControls::set_group_colour(bool on) { group_colour_->setChecked(on); }

void ViewControls::apply() {
  VoxelOptions o = view_->options();
  o.active_only = active_->isChecked();
  o.cut = static_cast<float>(cut_->value());
  o.max_voxels = budget_->value();
  o.slab_axis = axis_->currentIndex();
  o.slab_lo = lo_->value();
  o.slab_hi = std::max(lo_->value(), hi_->value());
  o.group_lines = group_lines_->isEnabled() && group_lines_->isChecked();
  o.group_colour = group_colour_->isEnabled() && group_colour_->isChecked();
  view_->set_options(o);
}

}  // namespace spikecube::ui
