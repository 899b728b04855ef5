#pragma once
// Controls of what the voxel view shows: active neurons only (and the cut),
// a slab range along any axis, transparency, point mode and camera reset.
// Edits go straight to the VoxelView; nothing here touches the simulation.

#include <QWidget>

#include "core/model.hpp"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace spikecube::ui {

class VoxelView;

class ViewControls : public QWidget {
  Q_OBJECT
 public:
  ViewControls(VoxelView* view, QWidget* parent = nullptr);
  // Adapts ranges to a lattice; big lattices start in active-only mode.
  void set_dims(const Dims& d);
  void set_active_only(bool on);
  void set_point_mode(bool on);
  void set_slab(int axis, int lo, int hi);
  // Enables the group options for a model with groups of side g (0 = none).
  void set_group_size(int g);
  void set_group_lines(bool on);
  void set_group_colour(bool on);

 private:
  void apply();
  VoxelView* view_;
  QCheckBox* active_;
  QDoubleSpinBox* cut_;
  QSpinBox* budget_;
  QComboBox* axis_;
  QSpinBox* lo_;
  QSpinBox* hi_;
  QCheckBox* transparent_;
  QCheckBox* points_;
  QCheckBox* group_lines_;
  QCheckBox* group_colour_;
  Dims dims_;
};

}  // namespace spikecube::ui
