#include "ui/voxel_scene.hpp"

#include <QByteArray>
#include <QColor>
#include <QFont>
#include <QUrl>
#include <Qt3DCore/QAttribute>
#include <Qt3DCore/QBuffer>
#include <Qt3DCore/QEntity>
#include <Qt3DCore/QGeometry>
#include <Qt3DCore/QTransform>
#include <Qt3DExtras/QCuboidGeometry>
#include <Qt3DExtras/QExtrudedTextMesh>
#include <Qt3DRender/QBlendEquation>
#include <Qt3DRender/QBlendEquationArguments>
#include <Qt3DRender/QEffect>
#include <Qt3DRender/QFilterKey>
#include <Qt3DRender/QGeometryRenderer>
#include <Qt3DRender/QGraphicsApiFilter>
#include <Qt3DRender/QMaterial>
#include <Qt3DRender/QNoDepthMask>
#include <Qt3DRender/QParameter>
#include <Qt3DRender/QPointSize>
#include <Qt3DRender/QRenderPass>
#include <Qt3DRender/QShaderProgram>
#include <Qt3DRender/QTechnique>
#include <cstring>
#include <utility>

#include "ui/colormap.hpp"

namespace spikecube::ui {
namespace {

using Qt3DCore::QAttribute;

// a material with one forward-rendering GL 3.3 core pass running the given shaders
Qt3DRender::QMaterial* make_material(const char* vert, const char* frag, Qt3DCore::QNode* parent,
                                     Qt3DRender::QRenderPass** pass_out) {
  auto* material = new Qt3DRender::QMaterial(parent);
  auto* effect = new Qt3DRender::QEffect(material);
  auto* technique = new Qt3DRender::QTechnique(effect);
  technique->graphicsApiFilter()->setApi(Qt3DRender::QGraphicsApiFilter::OpenGL);
  technique->graphicsApiFilter()->setProfile(Qt3DRender::QGraphicsApiFilter::CoreProfile);
  technique->graphicsApiFilter()->setMajorVersion(3);
  technique->graphicsApiFilter()->setMinorVersion(3);
  auto* key = new Qt3DRender::QFilterKey(technique);
  key->setName(QStringLiteral("renderingStyle"));  // what QForwardRenderer selects
  key->setValue(QStringLiteral("forward"));
  technique->addFilterKey(key);
  auto* pass = new Qt3DRender::QRenderPass(technique);
  auto* program = new Qt3DRender::QShaderProgram(pass);
  program->setVertexShaderCode(Qt3DRender::QShaderProgram::loadSource(QUrl(QString::fromLatin1(vert))));
  program->setFragmentShaderCode(Qt3DRender::QShaderProgram::loadSource(QUrl(QString::fromLatin1(frag))));
  pass->setShaderProgram(program);
  technique->addRenderPass(pass);
  effect->addTechnique(technique);
  material->setEffect(effect);
  if (pass_out) *pass_out = pass;
  return material;
}

QAttribute* float_attribute(Qt3DCore::QNode* parent, Qt3DCore::QBuffer* buffer, const QString& name, int size,
                            int offset_floats, int stride_floats, int count, int divisor) {
  auto* a = new QAttribute(parent);
  a->setName(name);
  a->setAttributeType(QAttribute::VertexAttribute);
  a->setVertexBaseType(QAttribute::Float);
  a->setVertexSize(static_cast<uint>(size));
  a->setByteOffset(static_cast<uint>(offset_floats * 4));
  a->setByteStride(static_cast<uint>(stride_floats * 4));
  a->setCount(static_cast<uint>(count));
  a->setDivisor(static_cast<uint>(divisor));
  a->setBuffer(buffer);
  return a;
}

QByteArray floats_to_bytes(const float* data, std::size_t n) {
  QByteArray bytes(static_cast<qsizetype>(n * sizeof(float)), Qt::Uninitialized);
  if (n) std::memcpy(bytes.data(), data, n * sizeof(float));
  return bytes;
}

}  // namespace

VoxelScene::VoxelScene(Qt3DCore::QEntity* root) : root_(root) {
  instances_ = new Qt3DCore::QBuffer(root_);
  instances_->setUsage(Qt3DCore::QBuffer::StreamDraw);

  // cubes: the prototype is a unit cube, one instance per visible voxel
  auto* cube = new Qt3DExtras::QCuboidGeometry(root_);
  cubes_ = make_draw(cube, false);

  // points: a single vertex per instance, sized in the vertex shader
  auto* point = new Qt3DCore::QGeometry(root_);
  auto* point_buffer = new Qt3DCore::QBuffer(point);
  const float vertex[6] = {0, 0, 0, 0, 0, 1};
  point_buffer->setData(floats_to_bytes(vertex, 6));
  auto* pos = float_attribute(point, point_buffer, QAttribute::defaultPositionAttributeName(), 3, 0, 6, 1, 0);
  auto* nrm = float_attribute(point, point_buffer, QAttribute::defaultNormalAttributeName(), 3, 3, 6, 1, 0);
  point->addAttribute(pos);
  point->addAttribute(nrm);
  point->setBoundingVolumePositionAttribute(pos);
  points_ = make_draw(point, true);
  auto* point_size = new Qt3DRender::QPointSize(points_.pass);
  point_size->setSizeMode(Qt3DRender::QPointSize::Programmable);
  points_.pass->addRenderState(point_size);

  // outlines of the lattice and of the io planes
  outline_entity_ = new Qt3DCore::QEntity(root_);
  auto* outline_geometry = new Qt3DCore::QGeometry(outline_entity_);
  outline_buffer_ = new Qt3DCore::QBuffer(outline_geometry);
  outline_attr_ =
      float_attribute(outline_geometry, outline_buffer_, QAttribute::defaultPositionAttributeName(), 3, 0, 3, 0, 0);
  outline_geometry->addAttribute(outline_attr_);
  outline_renderer_ = new Qt3DRender::QGeometryRenderer(outline_entity_);
  outline_renderer_->setPrimitiveType(Qt3DRender::QGeometryRenderer::Lines);
  outline_renderer_->setGeometry(outline_geometry);
  Qt3DRender::QRenderPass* line_pass = nullptr;
  auto* line_material = make_material("qrc:/shaders/line.vert", "qrc:/shaders/line.frag", outline_entity_, &line_pass);
  line_material->addParameter(new Qt3DRender::QParameter(QStringLiteral("lineColor"), QColor(150, 160, 180)));
  outline_entity_->addComponent(outline_renderer_);
  outline_entity_->addComponent(line_material);

  // outlines of the groups (groups model), filled on request
  group_entity_ = new Qt3DCore::QEntity(root_);
  auto* group_geometry = new Qt3DCore::QGeometry(group_entity_);
  group_buffer_ = new Qt3DCore::QBuffer(group_geometry);
  group_buffer_->setUsage(Qt3DCore::QBuffer::StreamDraw);
  group_attr_ =
      float_attribute(group_geometry, group_buffer_, QAttribute::defaultPositionAttributeName(), 3, 0, 3, 0, 0);
  group_geometry->addAttribute(group_attr_);
  group_renderer_ = new Qt3DRender::QGeometryRenderer(group_entity_);
  group_renderer_->setPrimitiveType(Qt3DRender::QGeometryRenderer::Lines);
  group_renderer_->setGeometry(group_geometry);
  group_renderer_->setVertexCount(0);
  auto* group_material = make_material("qrc:/shaders/line.vert", "qrc:/shaders/line.frag", group_entity_, nullptr);
  group_material->addParameter(new Qt3DRender::QParameter(QStringLiteral("lineColor"), QColor(240, 185, 40)));
  group_entity_->addComponent(group_renderer_);
  group_entity_->addComponent(group_material);
  group_entity_->setEnabled(false);

  update_enabled();
}

void VoxelScene::set_group_lines(const std::vector<float>& segments) {
  const auto vertices = static_cast<int>(segments.size() / 3);
  if (vertices == 0) {
    if (group_entity_->isEnabled()) group_entity_->setEnabled(false);
    return;
  }
  group_buffer_->setData(floats_to_bytes(segments.data(), static_cast<std::size_t>(vertices) * 3));
  group_attr_->setCount(static_cast<uint>(vertices));
  group_renderer_->setVertexCount(vertices);
  group_entity_->setEnabled(true);
}

VoxelScene::Draw VoxelScene::make_draw(Qt3DCore::QGeometry* geometry, bool points) {
  Draw d;
  d.entity = new Qt3DCore::QEntity(root_);
  const int stride = kInstanceFloats;
  d.instance_attrs.push_back(float_attribute(geometry, instances_, QStringLiteral("instancePos"), 3, 0, stride, 0, 1));
  d.instance_attrs.push_back(float_attribute(geometry, instances_, QStringLiteral("instanceData"), 3, 3, stride, 0, 1));
  for (auto* a : d.instance_attrs) geometry->addAttribute(a);
  d.renderer = new Qt3DRender::QGeometryRenderer(d.entity);
  d.renderer->setGeometry(geometry);
  d.renderer->setInstanceCount(0);
  if (points) {
    d.renderer->setPrimitiveType(Qt3DRender::QGeometryRenderer::Points);
    d.renderer->setVertexCount(1);
  }
  d.material = make_material("qrc:/shaders/voxel.vert", "qrc:/shaders/voxel.frag", d.entity, &d.pass);
  auto* alpha = new Qt3DRender::QParameter(QStringLiteral("alpha"), 1.0f);
  auto* size = new Qt3DRender::QParameter(QStringLiteral("voxelSize"), 0.8f);
  auto* scale = new Qt3DRender::QParameter(QStringLiteral("pointScale"), 500.0f);
  d.material->addParameter(alpha);
  d.material->addParameter(size);
  d.material->addParameter(scale);
  d.material->addParameter(new Qt3DRender::QParameter(QStringLiteral("pointMode"), points ? 1.0f : 0.0f));
  // the categorical colours come from ui/colormap, like the legend's swatches
  const std::pair<const char*, QColor> colours[] = {{"spikeColor", spike_color()},
                                                    {"inputColor", input_color()},
                                                    {"hitColor", hit_color()},
                                                    {"missColor", miss_color()},
                                                    {"falseAlarmColor", false_alarm_color()}};
  for (const auto& [name, colour] : colours)
    d.material->addParameter(new Qt3DRender::QParameter(QString::fromLatin1(name), colour));
  alpha_params_.push_back(alpha);
  size_params_.push_back(size);
  scale_params_.push_back(scale);
  d.entity->addComponent(d.renderer);
  d.entity->addComponent(d.material);
  return d;
}

void VoxelScene::upload(const std::vector<float>& instances, int count) {
  count_ = count;
  instances_->setData(floats_to_bytes(instances.data(), static_cast<std::size_t>(count) * kInstanceFloats));
  for (Draw* d : {&cubes_, &points_}) {
    for (auto* a : d->instance_attrs) a->setCount(static_cast<uint>(count));
    d->renderer->setInstanceCount(count);
  }
  update_enabled();
}

void VoxelScene::update_enabled() {
  // a draw with zero instances is skipped entirely
  cubes_.entity->setEnabled(!point_mode_ && count_ > 0);
  points_.entity->setEnabled(point_mode_ && count_ > 0);
}

void VoxelScene::set_point_mode(bool on) {
  point_mode_ = on;
  update_enabled();
}

void VoxelScene::set_transparent(bool on, float alpha) {
  for (auto* p : alpha_params_) p->setValue(on ? alpha : 1.0f);
  if (on == transparent_) return;
  transparent_ = on;
  if (on) {
    for (Draw* d : {&cubes_, &points_}) {
      auto* args = new Qt3DRender::QBlendEquationArguments(d->pass);
      args->setSourceRgba(Qt3DRender::QBlendEquationArguments::SourceAlpha);
      args->setDestinationRgba(Qt3DRender::QBlendEquationArguments::OneMinusSourceAlpha);
      auto* eq = new Qt3DRender::QBlendEquation(d->pass);
      eq->setBlendFunction(Qt3DRender::QBlendEquation::Add);
      auto* no_depth = new Qt3DRender::QNoDepthMask(d->pass);  // see through: do not occlude later voxels
      for (Qt3DRender::QRenderState* s :
           {static_cast<Qt3DRender::QRenderState*>(args), static_cast<Qt3DRender::QRenderState*>(eq),
            static_cast<Qt3DRender::QRenderState*>(no_depth)}) {
        d->pass->addRenderState(s);
        blend_states_.push_back(s);
      }
    }
  } else {
    for (auto* s : blend_states_) {
      for (Draw* d : {&cubes_, &points_}) d->pass->removeRenderState(s);
      delete s;
    }
    blend_states_.clear();
  }
}

void VoxelScene::set_voxel_size(float size) {
  for (auto* p : size_params_) p->setValue(size);
}

void VoxelScene::set_point_scale(float scale) {
  for (auto* p : scale_params_) p->setValue(scale);
}

void VoxelScene::add_label(const QString& text, const QVector3D& at, float height, const QColor& color) {
  auto* entity = new Qt3DCore::QEntity(root_);
  auto* mesh = new Qt3DExtras::QExtrudedTextMesh(entity);
  QFont font(QStringLiteral("DejaVu Sans"));
  font.setPointSize(24);
  mesh->setFont(font);
  mesh->setDepth(0.05f);
  mesh->setText(text);
  auto* transform = new Qt3DCore::QTransform(entity);
  transform->setScale(height);
  transform->setTranslation(at);
  auto* material = make_material("qrc:/shaders/line.vert", "qrc:/shaders/line.frag", entity, nullptr);
  material->addParameter(new Qt3DRender::QParameter(QStringLiteral("lineColor"), color));
  entity->addComponent(mesh);
  entity->addComponent(transform);
  entity->addComponent(material);
  labels_.push_back(entity);
}

void VoxelScene::set_layout(const VoxelLayout& l, bool layer_model, int last_z) {
  for (auto* e : labels_) delete e;
  labels_.clear();

  // rectangle outlines: input plane, first face, last face, output plane, plus the box edges
  std::vector<float> v;
  const float x0 = l.wx(-0.5f), x1 = l.wx(static_cast<float>(l.nx) - 0.5f);
  const float y0 = l.wy(-0.5f), y1 = l.wy(static_cast<float>(l.ny) - 0.5f);
  auto seg = [&](float ax, float ay, float az, float bx, float by, float bz) {
    v.insert(v.end(), {ax, ay, az, bx, by, bz});
  };
  auto rect = [&](float z) {
    seg(x0, y0, z, x1, y0, z);
    seg(x1, y0, z, x1, y1, z);
    seg(x1, y1, z, x0, y1, z);
    seg(x0, y1, z, x0, y0, z);
  };
  const float half = 0.5f * std::max(l.z_spacing, 1.0f);
  const float zf = l.wz(0) + half, zb = l.wz(static_cast<float>(l.nz - 1)) - half;
  rect(l.input_wz());
  rect(l.output_wz());
  rect(zf);
  rect(zb);
  seg(x0, y0, zf, x0, y0, zb);
  seg(x1, y0, zf, x1, y0, zb);
  seg(x1, y1, zf, x1, y1, zb);
  seg(x0, y1, zf, x0, y1, zb);
  outline_buffer_->setData(floats_to_bytes(v.data(), v.size()));
  outline_attr_->setCount(static_cast<uint>(v.size() / 3));
  outline_renderer_->setVertexCount(static_cast<int>(v.size() / 3));

  // labels sit just above the top edge of each plane, facing the default
  // camera; all in one neutral colour, so that the colours of the voxels
  // (legend) mean one thing only
  const float h = l.label_height();
  const float top = y0 + 0.4f * h;
  const QColor text(230, 232, 240);
  // io-plane labels go under their planes so they never overlap the face labels
  const float below = y1 - 1.4f * h;
  add_label(QStringLiteral("input frame"), QVector3D(x0, below, l.input_wz()), h, text);
  if (layer_model) {
    add_label(QStringLiteral("hidden layer %1 x %2").arg(l.nx).arg(l.ny), QVector3D(x0, top, l.wz(0)), h, text);
  } else {
    // in lattice coordinates, not those of a sub-sampled view (the caption
    // says when the view is sub-sampled)
    add_label(QStringLiteral("z = 0 (input face)"), QVector3D(x0, top, zf), h, text);
    add_label(QStringLiteral("z = %1 (output face)").arg(last_z), QVector3D(x0, top, zb), h, text);
  }
  add_label(QStringLiteral("prediction"), QVector3D(x0, below, l.output_wz()), h, text);
}

}  // namespace spikecube::ui
