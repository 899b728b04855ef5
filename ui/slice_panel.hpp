#pragma once
// A heatmap of one lattice plane (x = K, y = K or z = K) of the latest
// snapshot, with axis and index pickers; exports PNG plus the values as CSV.

#include <QString>
#include <QWidget>

#include "ui/image_export.hpp"
#include "ui/snapshot.hpp"

class QComboBox;
class QSpinBox;

namespace spikecube::ui {

class FramePanel;

class SlicePanel : public QWidget {
  Q_OBJECT
 public:
  explicit SlicePanel(QWidget* parent = nullptr);
  void show_snapshot(const Snapshot& s);
  void set_plane(int axis, int index);
  int axis() const;
  int index() const;
  // Writes png_path and the values beside it (same name, .csv); throws
  // FileError. Returns the CSV path.
  QString save(const QString& png_path) const;
  const Slice& slice() const { return slice_; }

 Q_SIGNALS:
  void save_requested();

 private:
  void refresh();
  QComboBox* axis_box_;
  QSpinBox* index_box_;
  FramePanel* panel_;
  Slice slice_;
  NeuronView view_;
  std::int64_t step_ = 0;
};

QString slice_title(const Slice& s, std::int64_t step);

}  // namespace spikecube::ui
