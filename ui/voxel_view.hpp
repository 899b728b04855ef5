#pragma once
// The 3D view: a Qt3D window (OpenGL renderer, on-demand rendering) embedded
// in a widget, with an orbit camera, the colour legend beside it and a frame
// counter. It draws only from snapshots it is handed, and uploads only the
// voxels that pass the current VoxelOptions.

#include <QImage>
#include <QVector3D>
#include <QWidget>
#include <algorithm>
#include <functional>
#include <vector>

#include "ui/instance_builder.hpp"
#include "ui/snapshot.hpp"

class QLabel;
namespace Qt3DExtras {
class QOrbitCameraController;
class Qt3DWindow;
}  // namespace Qt3DExtras
namespace Qt3DRender {
class QCamera;
class QRenderCapture;
}  // namespace Qt3DRender

namespace spikecube::ui {

class VoxelScene;

class VoxelView : public QWidget {
  Q_OBJECT
 public:
  // QT3D_RENDERER must be "opengl" before this is constructed (main() and the
  // tests set it); the constructor sets it too if it is still unset.
  explicit VoxelView(QWidget* parent = nullptr);
  ~VoxelView() override;

  // Draws s; `fresh` = a new snapshot (spike flashes age one frame).
  void show_snapshot(const Snapshot& s, bool fresh);
  // True when the last upload has been rendered, so another may be sent
  // (uploads are paced by the renderer, never queued up behind it).
  bool ready_for_frame() const { return frames_since_upload_ > 0; }
  // How long to wait between uploads while the simulation runs at full
  // speed: three times what the last frame took to render, at least 150 ms
  // (so at most ~6.7 new frames a second), so a software renderer is busy at
  // most about a third of the time and the CPU and memory bandwidth stay
  // with the simulation. Paced or paused runs update at up to 25 frames/s.
  int upload_interval_ms() const { return std::max(150, 3 * last_frame_ms_); }

  const VoxelOptions& options() const { return options_; }
  void set_options(const VoxelOptions& o);
  void set_point_mode(bool on);
  void set_transparent(bool on);
  void set_voxel_size(float size);
  // Back to the default view: from kViewDir, framing input frame, lattice
  // and prediction (which then lie side by side, none behind another).
  void reset_camera();
  Qt3DRender::QCamera* camera() const { return camera_; }

  // Grabs the rendered 3D image (QRenderCapture) and composes it with the
  // legend and a caption; done() runs on the GUI thread.
  void capture(std::function<void(const QImage&)> done, const QString& caption);
  // Grabs the rendered 3D image alone (no legend, no caption), as large as
  // the render window; done() runs on the GUI thread.
  void capture_scene(std::function<void(const QImage&)> done);
  // Where the rendered image sits, in the coordinates of `ancestor` (a
  // widget that contains this view).
  QRect scene_rect(const QWidget* ancestor) const;

  // Frames that showed new content (a new snapshot or option change) per
  // second, over the last second; camera-only redraws are not counted.
  double frames_per_s() const { return fps_; }
  // Such frames since the view was created.
  long long frames_total() const { return frames_total_; }
  int visible_voxels() const;
  // The potential cut in force (raised above options().cut by the voxel budget).
  float effective_cut() const { return builder_.effective_cut(); }

 Q_SIGNALS:
  void frame_rendered();

 private:
  void rebuild();
  void capture_final(std::function<void(const QImage&)> done);
  void on_frame();
  void update_point_scale();
  bool eventFilter(QObject* watched, QEvent* event) override;

  Qt3DExtras::Qt3DWindow* window_;
  QWidget* container_;
  QLabel* legend_;
  Qt3DRender::QCamera* camera_;
  Qt3DExtras::QOrbitCameraController* controller_;
  QVector3D fitted_position_, fitted_centre_;  // where reset_camera() put the camera
  Qt3DRender::QRenderCapture* capture_;
  VoxelScene* scene_;
  VoxelOptions options_;
  InstanceBuilder builder_;
  std::vector<float> instances_;
  Snapshot copy_;  // what rebuild() uses when options change between snapshots
  VoxelLayout layout_;
  Dims dims_;
  bool layer_model_ = false;
  int stride_ = 1;  // sub-sampling of the shown snapshot
  int frames_since_upload_ = 1;
  qint64 upload_ms_ = 0;   // when the last upload was made
  int last_frame_ms_ = 0;  // upload to rendered frame, last time
  int frame_count_ = 0;
  long long frames_total_ = 0;
  qint64 fps_window_start_ = 0;
  double fps_ = 0;
};

}  // namespace spikecube::ui
