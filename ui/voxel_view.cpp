#include "ui/voxel_view.hpp"

#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <Qt3DCore/QEntity>
#include <Qt3DExtras/QForwardRenderer>
#include <Qt3DExtras/QOrbitCameraController>
#include <Qt3DExtras/Qt3DWindow>
#include <Qt3DLogic/QFrameAction>
#include <Qt3DRender/QCamera>
#include <Qt3DRender/QRenderCapture>
#include <Qt3DRender/QRenderSettings>
#include <cmath>
#include <vector>

#include "ui/colormap.hpp"
#include "ui/voxel_scene.hpp"

// the .qrc lives in a static library, whose initialiser the linker would drop
static void init_spikecube_resources() { Q_INIT_RESOURCE(spikecube); }

namespace spikecube::ui {
namespace {
constexpr float kFovDeg = 20.0f;  // narrow: planes far apart keep similar sizes
constexpr int kLegendWidth = 112;
constexpr float kPi = 3.14159265f;
}  // namespace

VoxelView::VoxelView(QWidget* parent) : QWidget(parent) {
  if (qEnvironmentVariableIsEmpty("QT3D_RENDERER")) qputenv("QT3D_RENDERER", "opengl");
  init_spikecube_resources();
  window_ = new Qt3DExtras::Qt3DWindow();
  window_->defaultFrameGraph()->setClearColor(background_color());
  // the lattice is drawn by instancing a small prototype: its own bounds say
  // nothing about where the instances are, so culling must be off
  window_->defaultFrameGraph()->setFrustumCullingEnabled(false);
  window_->renderSettings()->setRenderPolicy(Qt3DRender::QRenderSettings::OnDemand);

  // the capture node wraps the forward renderer so it sees the finished frame
  capture_ = new Qt3DRender::QRenderCapture();
  Qt3DRender::QFrameGraphNode* forward = window_->activeFrameGraph();
  forward->setParent(capture_);
  window_->setActiveFrameGraph(capture_);

  auto* root = new Qt3DCore::QEntity();
  scene_ = new VoxelScene(root);
  auto* frame_action = new Qt3DLogic::QFrameAction(root);
  root->addComponent(frame_action);
  connect(frame_action, &Qt3DLogic::QFrameAction::triggered, this, [this](float) { on_frame(); });

  camera_ = window_->camera();
  camera_->lens()->setPerspectiveProjection(kFovDeg, 16.0f / 9.0f, 0.5f, 5000.0f);
  controller_ = new Qt3DExtras::QOrbitCameraController(root);
  controller_->setCamera(camera_);
  controller_->setLookSpeed(180.0f);
  window_->setRootEntity(root);

  container_ = QWidget::createWindowContainer(window_, this);
  container_->setMinimumSize(320, 240);
  container_->setFocusPolicy(Qt::NoFocus);  // keep keyboard shortcuts with the main window
  legend_ = new QLabel(this);
  legend_->setPixmap(QPixmap::fromImage(potential_legend(kLegendWidth, 340)));
  legend_->setAlignment(Qt::AlignTop);
  legend_->setStyleSheet(QStringLiteral("background-color: #16181e;"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(container_, 1);
  layout->addWidget(legend_, 0);
  window_->installEventFilter(this);
  fps_window_start_ = QDateTime::currentMSecsSinceEpoch();
  reset_camera();
}

VoxelView::~VoxelView() = default;

bool VoxelView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == window_ && event->type() == QEvent::Resize) {
    // a camera still at its default pose keeps framing the scene; one the
    // user moved stays where it is
    if (camera_->position() == fitted_position_ && camera_->viewCenter() == fitted_centre_) reset_camera();
    else update_point_scale();
  }
  return QWidget::eventFilter(watched, event);
}

void VoxelView::update_point_scale() {
  const float h = static_cast<float>(std::max(1, window_->height()));
  scene_->set_point_scale(h / (2.0f * std::tan(0.5f * kFovDeg * kPi / 180.0f)));
}

void VoxelView::on_frame() {
  // count frames that show new content: the first frame after an upload
  // (Qt3D also ticks frames with nothing changed, which would inflate it)
  if (++frames_since_upload_ == 1) {
    last_frame_ms_ = static_cast<int>(QDateTime::currentMSecsSinceEpoch() - upload_ms_);
    ++frame_count_;
    ++frames_total_;
  }
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  if (now - fps_window_start_ >= 1000) {
    fps_ = 1000.0 * frame_count_ / static_cast<double>(now - fps_window_start_);
    frame_count_ = 0;
    fps_window_start_ = now;
  }
  Q_EMIT frame_rendered();
}

void VoxelView::reset_camera() {
  const VoxelLayout l = layout_.nx > 0 ? layout_ : make_layout(Dims{48, 48, 1});
  const float aspect = window_->height() > 0
                           ? static_cast<float>(window_->width()) / static_cast<float>(window_->height())
                           : 16.0f / 9.0f;
  const QVector3D dir = QVector3D(kViewDir[0], kViewDir[1], kViewDir[2]).normalized();
  const QVector3D up(0, 1, 0);
  const QVector3D right = QVector3D::crossProduct(-dir, up).normalized();
  const QVector3D cam_up = QVector3D::crossProduct(right, -dir);
  // 4% of the window left free around the scene
  const float tan_v = 0.96f * std::tan(0.5f * kFovDeg * kPi / 180.0f), tan_h = tan_v * aspect;
  // the corners of the box holding everything drawn (io planes and labels
  // included): offsets across the view (x, y) and along it, towards the camera
  struct Corner {
    float x, y, toward;
  };
  std::vector<Corner> corners;
  for (const float sx : {-1.0f, 1.0f})
    for (const float sy : {-1.0f, 1.0f})
      for (const float sz : {-1.0f, 1.0f}) {
        const QVector3D c(sx * l.half_x(), sy * l.half_y(), sz * l.half_z());
        corners.push_back(
            {QVector3D::dotProduct(c, right), QVector3D::dotProduct(c, cam_up), QVector3D::dotProduct(c, dir)});
      }
  // From distance d along dir, the view centre may sit anywhere across the
  // view that keeps each corner within the frustum: |x - cx| <= (d - toward)
  // tan_h, and likewise for y. The closest d with such a centre frames the
  // scene tightest (an off-centre view centre uses the whole window); it is
  // found by bisection, since a larger d only widens the allowed range.
  float cx = 0, cy = 0;
  auto fits = [&](float d) {
    float lo_x = -1e30f, hi_x = 1e30f, lo_y = -1e30f, hi_y = 1e30f;
    for (const Corner& c : corners) {
      const float depth = d - c.toward;
      if (depth <= 1.0f) return false;
      lo_x = std::max(lo_x, c.x - depth * tan_h);
      hi_x = std::min(hi_x, c.x + depth * tan_h);
      lo_y = std::max(lo_y, c.y - depth * tan_v);
      hi_y = std::min(hi_y, c.y + depth * tan_v);
    }
    if (lo_x > hi_x || lo_y > hi_y) return false;
    cx = 0.5f * (lo_x + hi_x);
    cy = 0.5f * (lo_y + hi_y);
    return true;
  };
  float closer = 0, farther = 1.0f;
  while (!fits(farther)) farther *= 2;  // from here on the scene fits at `farther`
  for (int i = 0; i < 40; ++i) {
    const float mid = 0.5f * (closer + farther);
    (fits(mid) ? farther : closer) = mid;
  }
  fits(farther);  // sets cx, cy for the distance kept
  const QVector3D centre = cx * right + cy * cam_up;
  camera_->setUpVector(up);
  camera_->setViewCenter(centre);
  camera_->setPosition(centre + farther * dir);
  // wheel zoom and panning move in steps proportional to the distance, so
  // they feel the same for every lattice
  controller_->setLinearSpeed(0.9f * farther);
  fitted_position_ = camera_->position();
  fitted_centre_ = camera_->viewCenter();
  update_point_scale();
}

void VoxelView::show_snapshot(const Snapshot& s, bool fresh) {
  copy_ = s;
  if (fresh) builder_.age(copy_);
  const Dims d = shown_dims(copy_.neurons);
  const bool layer = copy_.config && copy_.config->model == "layer";
  const int stride = std::max(1, copy_.neurons.stride);
  if (d.nx != dims_.nx || d.ny != dims_.ny || d.nz != dims_.nz || layer != layer_model_ || stride != stride_) {
    dims_ = d;
    layer_model_ = layer;
    stride_ = stride;
    layout_ = make_layout(d);
    const int last_z = copy_.config ? copy_.config->depth - 1 : d.nz - 1;
    scene_->set_layout(layout_, layer, last_z);
    reset_camera();
  }
  rebuild();
}

void VoxelView::rebuild() {
  const int count = builder_.build(copy_, options_, instances_);
  scene_->upload(instances_, count);
  scene_->set_group_lines(builder_.group_lines());
  frames_since_upload_ = 0;
  upload_ms_ = QDateTime::currentMSecsSinceEpoch();
}

void VoxelView::set_options(const VoxelOptions& o) {
  options_ = o;
  if (!copy_.neurons.potential.empty()) rebuild();
}

void VoxelView::set_point_mode(bool on) { scene_->set_point_mode(on); }
void VoxelView::set_transparent(bool on) { scene_->set_transparent(on, 0.35f); }
void VoxelView::set_voxel_size(float size) { scene_->set_voxel_size(size); }
int VoxelView::visible_voxels() const { return scene_->instance_count(); }

void VoxelView::capture_scene(std::function<void(const QImage&)> done) {
  // the first capture can race the upload of the newest instances; the
  // frame rendered after it cannot, so the second one is kept
  Qt3DRender::QRenderCaptureReply* warmup = capture_->requestCapture();
  connect(warmup, &Qt3DRender::QRenderCaptureReply::completed, this, [this, warmup, done = std::move(done)]() mutable {
    warmup->deleteLater();
    capture_final(std::move(done));
  });
}

void VoxelView::capture_final(std::function<void(const QImage&)> done) {
  Qt3DRender::QRenderCaptureReply* reply = capture_->requestCapture();
  connect(reply, &Qt3DRender::QRenderCaptureReply::completed, this, [reply, done = std::move(done)] {
    const QImage scene = reply->image().convertToFormat(QImage::Format_RGB32);
    reply->deleteLater();
    done(scene);
  });
}

QRect VoxelView::scene_rect(const QWidget* ancestor) const {
  return QRect(container_->mapTo(ancestor, QPoint(0, 0)), container_->size());
}

void VoxelView::capture(std::function<void(const QImage&)> done, const QString& caption) {
  capture_scene([done = std::move(done), caption](const QImage& scene) {
    // compose: the rendered lattice, the legend on the right, a caption on top
    const int legend_h = std::max(340, std::min(scene.height(), 400));
    QImage out(scene.width() + kLegendWidth, std::max(scene.height(), legend_h), QImage::Format_RGB32);
    out.fill(background_color());
    QPainter p(&out);
    p.drawImage(0, 0, scene);
    p.drawImage(scene.width(), 0, potential_legend(kLegendWidth, legend_h));
    if (!caption.isEmpty()) {
      QFont f = p.font();
      f.setPixelSize(15);
      p.setFont(f);
      p.setPen(QColor(235, 235, 240));
      p.drawText(QRect(10, 6, scene.width() - 20, 84), Qt::AlignLeft | Qt::AlignTop, caption);
    }
    p.end();
    done(out);
  });
}

}  // namespace spikecube::ui
