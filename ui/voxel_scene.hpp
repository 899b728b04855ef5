#pragma once
// The Qt3D scene graph of the voxel view: one instanced draw of every visible
// voxel (cubes, or points in point mode), outlines of the lattice and of the
// input / output planes, and 3D text labels of those planes. It only builds
// and updates nodes; the camera, capture and timing live in VoxelView.

#include <QColor>
#include <QString>
#include <QVector3D>
#include <vector>

#include "ui/instance_builder.hpp"

namespace Qt3DCore {
class QEntity;
class QBuffer;
class QAttribute;
class QGeometry;
class QTransform;
}  // namespace Qt3DCore
namespace Qt3DRender {
class QGeometryRenderer;
class QMaterial;
class QParameter;
class QRenderPass;
class QRenderState;
}  // namespace Qt3DRender

namespace spikecube::ui {

class VoxelScene {
 public:
  explicit VoxelScene(Qt3DCore::QEntity* root);

  // Rebuilds outlines and labels for a lattice shape; `layer_model` names the
  // planes "input / hidden / prediction" instead of the cube's faces.
  // last_z: the model's index of its output face (a sub-sampled view has
  // fewer planes than the lattice)
  void set_layout(const VoxelLayout& layout, bool layer_model, int last_z);
  // Uploads instance records (kInstanceFloats each); only these go to the GPU.
  void upload(const std::vector<float>& instances, int count);
  // Line segments (6 floats each) outlining groups; empty hides them.
  void set_group_lines(const std::vector<float>& segments);
  void set_point_mode(bool on);
  void set_transparent(bool on, float alpha);
  void set_voxel_size(float size);
  // Pixels per world unit at distance 1 (for point sizes).
  void set_point_scale(float scale);
  int instance_count() const { return count_; }

 private:
  struct Draw {
    Qt3DCore::QEntity* entity = nullptr;
    Qt3DRender::QGeometryRenderer* renderer = nullptr;
    Qt3DRender::QMaterial* material = nullptr;
    Qt3DRender::QRenderPass* pass = nullptr;
    std::vector<Qt3DCore::QAttribute*> instance_attrs;
  };
  Draw make_draw(Qt3DCore::QGeometry* geometry, bool points);
  void add_label(const QString& text, const QVector3D& at, float height, const QColor& color);
  void update_enabled();

  Qt3DCore::QEntity* root_;
  Qt3DCore::QBuffer* instances_;
  Draw cubes_, points_;
  Qt3DCore::QEntity* outline_entity_ = nullptr;
  Qt3DCore::QBuffer* outline_buffer_ = nullptr;
  Qt3DRender::QGeometryRenderer* outline_renderer_ = nullptr;
  Qt3DCore::QAttribute* outline_attr_ = nullptr;
  Qt3DCore::QEntity* group_entity_ = nullptr;
  Qt3DCore::QBuffer* group_buffer_ = nullptr;
  Qt3DRender::QGeometryRenderer* group_renderer_ = nullptr;
  Qt3DCore::QAttribute* group_attr_ = nullptr;
  std::vector<Qt3DCore::QEntity*> labels_;
  std::vector<Qt3DRender::QRenderState*> blend_states_;
  std::vector<Qt3DRender::QParameter*> alpha_params_, size_params_, scale_params_;
  bool point_mode_ = false;
  bool transparent_ = false;
  int count_ = 0;
};

}  // namespace spikecube::ui
