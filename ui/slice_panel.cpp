#include "ui/slice_panel.hpp"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/atomic_file.hpp"
#include "ui/frame_panel.hpp"
#include "ui/instance_builder.hpp"

namespace spikecube::ui {

QString slice_title(const Slice& s, std::int64_t step) {
  static const char* names[] = {"x", "y", "z"};
  return QStringLiteral("slice %1 = %2, step %3 (v/θ; yellow = spike)")
      .arg(QString::fromLatin1(names[std::clamp(s.axis, 0, 2)]))
      .arg(s.index)
      .arg(step);
}

SlicePanel::SlicePanel(QWidget* parent) : QWidget(parent) {
  axis_box_ = new QComboBox(this);
  axis_box_->addItems({QStringLiteral("x ="), QStringLiteral("y ="), QStringLiteral("z =")});
  axis_box_->setCurrentIndex(2);
  axis_box_->setToolTip(QStringLiteral("axis normal to the shown plane"));
  index_box_ = new QSpinBox(this);
  index_box_->setRange(0, 0);
  index_box_->setToolTip(QStringLiteral("which plane along that axis"));
  auto* save = new QPushButton(QStringLiteral("Save…"), this);
  save->setToolTip(QStringLiteral("save the slice as PNG and its values as CSV"));
  panel_ = new FramePanel(QStringLiteral("slice"), this);
  auto* row = new QHBoxLayout();
  row->addWidget(new QLabel(QStringLiteral("Slice"), this));
  row->addWidget(axis_box_);
  row->addWidget(index_box_);
  row->addStretch(1);
  row->addWidget(save);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(row);
  layout->addWidget(panel_, 1);
  connect(axis_box_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
  connect(index_box_, &QSpinBox::valueChanged, this, [this] { refresh(); });
  connect(save, &QPushButton::clicked, this, &SlicePanel::save_requested);
}

int SlicePanel::axis() const { return axis_box_->currentIndex(); }
int SlicePanel::index() const { return index_box_->value(); }

void SlicePanel::set_plane(int axis, int index) {
  axis_box_->setCurrentIndex(std::clamp(axis, 0, 2));
  refresh();
  index_box_->setValue(index);
  refresh();
}

void SlicePanel::show_snapshot(const Snapshot& s) {
  view_ = s.neurons;
  step_ = s.step;
  refresh();
}

void SlicePanel::refresh() {
  const Dims d = shown_dims(view_);
  const int full[3] = {d.nx, d.ny, d.nz};
  const int a = axis();
  const int hi = std::max(0, full[a] - 1);
  if (index_box_->maximum() != hi) index_box_->setMaximum(hi);
  slice_ = extract_slice(view_, a, index_box_->value());
  panel_->set_title(slice_title(slice_, step_));
  panel_->set_image(slice_image(slice_));
}

QString SlicePanel::save(const QString& png_path) const {
  if (slice_.width == 0) throw FileError(png_path.toStdString() + ": no slice to save (empty lattice or bad index)");
  const int scale = std::max(1, 480 / std::max(slice_.width, slice_.height));
  save_png_atomic(annotated_slice(slice_, slice_title(slice_, step_), scale), png_path);
  const QFileInfo info(png_path);
  const QString csv = info.path() + QStringLiteral("/") + info.completeBaseName() + QStringLiteral(".csv");
  write_file_atomic(csv.toStdString(), slice_csv(slice_));
  return csv;
}

}  // namespace spikecube::ui
