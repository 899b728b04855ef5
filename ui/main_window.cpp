#include "ui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QGridLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <cmath>
#include <cstdio>

#include "core/atomic_file.hpp"
#include "io/checkpoint.hpp"
#include "ui/colormap.hpp"
#include "ui/frame_panel.hpp"
#include "ui/image_export.hpp"
#include "ui/instance_builder.hpp"
#include "ui/pace.hpp"
#include "ui/param_panel.hpp"
#include "ui/plots_panel.hpp"
#include "ui/render_priority.hpp"
#include "ui/slice_panel.hpp"
#include "ui/view_controls.hpp"
#include "ui/voxel_view.hpp"

namespace spikecube::ui {
namespace {

QString model_text(const Config& c) {
  if (c.model == "layer") return QStringLiteral("layer %1×%1").arg(c.n);
  return QStringLiteral("%1 %2×%2×%3").arg(QString::fromStdString(c.model)).arg(c.n).arg(c.depth);
}

QString settings_key_for_pace(const Config& c) {
  return QStringLiteral("speed/") + QString::fromStdString(pace_kind(c));
}

}  // namespace

MainWindow::MainWindow(const Config& cfg, const QString& preset_name, QWidget* parent)
    : QMainWindow(parent), preset_(preset_name) {
  worker_ = std::make_unique<SimWorker>(cfg);
  // the simulation thread now exists at normal priority; the render threads
  // started from here on get a lower one
  lower_render_priority();
  setWindowIcon(QIcon(QStringLiteral(":/icons/spikecube.png")));

  auto* center = new QWidget(this);
  auto* center_layout = new QVBoxLayout(center);
  center_layout->setContentsMargins(0, 0, 0, 0);
  center_layout->setSpacing(2);
  view_ = new VoxelView(center);
  view_controls_ = new ViewControls(view_, center);
  center_layout->addWidget(view_, 1);
  center_layout->addWidget(view_controls_);
  setCentralWidget(center);

  build_docks();
  build_actions();
  build_toolbar();
  build_menus();
  build_status_bar();

  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  if (!preset_.isEmpty()) settings.setValue(QStringLiteral("last_preset"), preset_);
  apply_pace(cfg);

  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &MainWindow::poll);
  timer_->start(16);
  poll();
}

MainWindow::~MainWindow() {
  timer_->stop();
  worker_.reset();  // joins the simulation thread before the views go away
}

void MainWindow::build_docks() {
  input_panel_ = new FramePanel(QStringLiteral("input"));
  target_panel_ = new FramePanel(QStringLiteral("target"));
  output_panel_ = new FramePanel(QStringLiteral("prediction"));
  error_panel_ = new FramePanel(QStringLiteral("error map"));
  error_panel_->set_key({{hit_color(), QStringLiteral("hit")},
                         {miss_color(), QStringLiteral("miss")},
                         {false_alarm_color(), QStringLiteral("false")}});
  auto* frames = new QWidget();
  auto* grid = new QGridLayout(frames);
  grid->setContentsMargins(2, 2, 2, 2);
  grid->addWidget(input_panel_, 0, 0);
  grid->addWidget(target_panel_, 0, 1);
  grid->addWidget(output_panel_, 1, 0);
  grid->addWidget(error_panel_, 1, 1);
  slice_ = new SlicePanel();
  plots_ = new PlotsPanel();
  params_ = new ParamPanel();
  connect(params_, &ParamPanel::param_changed, this,
          [this](const QString& key, double v) { worker_->set_param(key.toStdString(), v); });
  connect(slice_, &SlicePanel::save_requested, this, &MainWindow::slice_dialog);

  auto dock = [this](const QString& title, const char* name, QWidget* w, Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(QString::fromLatin1(name));  // saveState needs names
    d->setWidget(w);
    addDockWidget(area, d);
    return d;
  };
  dock(QStringLiteral("Frames"), "frames_dock", frames, Qt::LeftDockWidgetArea);
  dock(QStringLiteral("Slice"), "slice_dock", slice_, Qt::LeftDockWidgetArea);
  dock(QStringLiteral("Plots"), "plots_dock", plots_, Qt::RightDockWidgetArea);
  dock(QStringLiteral("Parameters"), "params_dock", params_, Qt::RightDockWidgetArea);
}

void MainWindow::build_status_bar() {
  status_input_ = new QLabel(this);
  status_step_ = new QLabel(this);
  status_rate_ = new QLabel(this);
  status_fps_ = new QLabel(this);
  status_fire_ = new QLabel(this);
  status_iou_ = new QLabel(this);
  for (QLabel* l : {status_input_, status_step_, status_rate_, status_fps_, status_fire_, status_iou_}) {
    l->setMinimumWidth(110);
    statusBar()->addPermanentWidget(l);
  }
}

// The simulation's actions, shared by the toolbar and the menus.
void MainWindow::build_actions() {
  run_ = new QAction(QStringLiteral("Run"), this);
  run_->setCheckable(true);
  run_->setShortcut(Qt::Key_Space);
  run_->setToolTip(QStringLiteral("run / pause (Space)"));
  connect(run_, &QAction::toggled, this, [this](bool on) {
    worker_->set_running(on);
    run_->setText(on ? QStringLiteral("Pause") : QStringLiteral("Run"));
  });
  step_ = new QAction(QStringLiteral("Step"), this);
  step_->setShortcut(Qt::Key_N);
  step_->setToolTip(QStringLiteral("one step (N)"));
  connect(step_, &QAction::triggered, this, [this] {
    run_->setChecked(false);
    worker_->request_steps(1);
  });
  input_ = new QAction(this);
  input_->setShortcut(Qt::Key_I);
  input_->setToolTip(kReplayAvailable ? QStringLiteral("input: on → off → replay from memory → on (I)")
                                      : QStringLiteral("switch the input on / off (I)"));
  connect(input_, &QAction::triggered, this, [this] { set_input_mode(next_input_mode(input_mode_)); });
  reset_ = new QAction(QStringLiteral("Reset"), this);
  reset_->setShortcut(Qt::Key_R);
  reset_->setToolTip(QStringLiteral("restart the run with the current parameters and seed (R)"));
  connect(reset_, &QAction::triggered, this, [this] {
    run_->setChecked(false);
    worker_->reset(false);
  });
  new_seed_ = new QAction(QStringLiteral("New seed"), this);
  new_seed_->setToolTip(QStringLiteral("restart with the next seed"));
  connect(new_seed_, &QAction::triggered, this, [this] {
    run_->setChecked(false);
    worker_->reset(true);
  });
  screenshot_ = new QAction(QStringLiteral("Screenshot"), this);
  screenshot_->setShortcut(Qt::Key_S);
  screenshot_->setToolTip(QStringLiteral("save the 3D view as PNG in the pictures folder (S)"));
  connect(screenshot_, &QAction::triggered, this, &MainWindow::quick_screenshot);
}

void MainWindow::build_toolbar() {
  speed_box_ = new QComboBox(this);
  for (const Pace& p : speed_menu()) speed_box_->addItem(QString::fromLatin1(p.label), p.steps_per_s);
  speed_box_->setToolTip(QStringLiteral("simulation speed (remembered for each kind of model)"));
  connect(speed_box_, &QComboBox::activated, this, [this](int i) { choose_speed(speed_box_->itemData(i).toDouble()); });
  preset_box_ = new QComboBox(this);
  preset_box_->addItem(QStringLiteral("(custom)"));
  for (const auto& name : preset_names()) preset_box_->addItem(QString::fromStdString(name));
  preset_box_->setCurrentText(preset_.isEmpty() ? QStringLiteral("(custom)") : preset_);
  preset_box_->setToolTip(QStringLiteral("load a preset (restarts the run)"));
  connect(preset_box_, &QComboBox::activated, this, [this](int i) {
    if (i > 0) load_preset(preset_box_->itemText(i));
  });

  auto* tb = addToolBar(QStringLiteral("Simulation"));
  tb->setObjectName(QStringLiteral("sim_toolbar"));
  tb->setToolButtonStyle(Qt::ToolButtonTextOnly);
  tb->addAction(run_);
  tb->addAction(step_);
  tb->addSeparator();
  tb->addAction(input_);
  tb->addSeparator();
  tb->addAction(reset_);
  tb->addAction(new_seed_);
  tb->addSeparator();
  tb->addWidget(new QLabel(QStringLiteral(" speed "), this));
  tb->addWidget(speed_box_);
  tb->addWidget(new QLabel(QStringLiteral("  preset "), this));
  tb->addWidget(preset_box_);
  tb->addSeparator();
  tb->addAction(screenshot_);
}

void MainWindow::build_file_menu() {
  auto* file = menuBar()->addMenu(QStringLiteral("&File"));
  file->addAction(QStringLiteral("&Open config…"), QKeySequence::Open, this, &MainWindow::open_config);
  file->addAction(QStringLiteral("&Save config…"), QKeySequence::Save, this, &MainWindow::save_config);
  file->addSeparator();
  file->addAction(QStringLiteral("Save &checkpoint…"), this, &MainWindow::save_checkpoint);
  file->addAction(QStringLiteral("&Load checkpoint…"), this, &MainWindow::load_checkpoint);
  file->addSeparator();
  file->addAction(QStringLiteral("Save 3D &view as…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save 3D view"), QString(),
                                                      QStringLiteral("PNG images (*.png)"));
    if (path.isEmpty()) return;
    save_screenshot(path, [this](bool ok, const QString& msg) {
      if (ok) statusBar()->showMessage(msg, 5000);
      else show_error(QStringLiteral("Screenshot"), msg);
    });
  });
  file->addAction(QStringLiteral("Save s&lice as…"), this, &MainWindow::slice_dialog);
  file->addSeparator();
  file->addAction(QStringLiteral("&Quit"), QKeySequence::Quit, this, &QWidget::close);
}

// File, Simulation and View; the docks exist already (View lists them).
void MainWindow::build_menus() {
  build_file_menu();
  auto* sim = menuBar()->addMenu(QStringLiteral("&Simulation"));
  for (QAction* a : {run_, step_, input_, reset_, new_seed_}) sim->addAction(a);
  auto* view = menuBar()->addMenu(QStringLiteral("&View"));
  view->addAction(QStringLiteral("Reset camera"), view_, &VoxelView::reset_camera);
  view->addAction(screenshot_);
  view->addSeparator();
  for (QDockWidget* d : findChildren<QDockWidget*>()) view->addAction(d->toggleViewAction());
}

void MainWindow::load_preset(const QString& name) {
  try {
    Config cfg = spikecube::load_preset(name.toStdString());
    run_->setChecked(false);
    worker_->load_config(cfg);
    preset_ = name;
    preset_box_->setCurrentText(name);
    QSettings().setValue(QStringLiteral("last_preset"), name);
  } catch (const std::exception& e) {
    show_error(QStringLiteral("Preset"), QString::fromUtf8(e.what()));
  }
}

void MainWindow::set_speed(double steps_per_s) {
  const int i = speed_box_->findData(steps_per_s);
  if (i >= 0) speed_box_->setCurrentIndex(i);
  worker_->set_speed(steps_per_s);
}

void MainWindow::choose_speed(double steps_per_s) {
  set_speed(steps_per_s);
  if (snap_.config) QSettings().setValue(settings_key_for_pace(*snap_.config), steps_per_s);
}

void MainWindow::apply_pace(const Config& cfg) {
  pace_kind_ = QString::fromStdString(pace_kind(cfg));
  set_speed(QSettings().value(settings_key_for_pace(cfg), default_pace(cfg)).toDouble());
}

void MainWindow::set_input_mode(InputMode mode) {
  input_mode_ = mode;
  worker_->set_input_mode(mode);
  update_input_state();
}

void MainWindow::poll() {
  handle_messages();
  const std::uint64_t before = snap_.generation;
  const bool fresh = worker_->take_snapshot(snap_);
  if (fresh) on_new_snapshot(snap_.generation != before || shown_generation_ != snap_.generation);
  Q_EMIT polled(fresh);
}

void MainWindow::on_new_snapshot(bool generation_changed) {
  if (generation_changed) {
    shown_generation_ = snap_.generation;
    plots_->clear();
    view_controls_->set_group_size(snap_.group_size);
    view_controls_->set_dims(shown_dims(snap_.neurons));
    input_mode_ = snap_.input_mode;
    // another kind of model (preset, file, checkpoint) starts at its own pace;
    // a scripted run keeps the speed it was given
    if (!scripted_ && snap_.config && QString::fromStdString(pace_kind(*snap_.config)) != pace_kind_)
      apply_pace(*snap_.config);
  }
  if (snap_.config && snap_.config_version != shown_config_version_) {
    shown_config_version_ = snap_.config_version;
    params_->set_config(*snap_.config);
    setWindowTitle(QStringLiteral("spikecube — %1 (%2, seed %3)")
                       .arg(preset_.isEmpty() ? QStringLiteral("custom config") : preset_, model_text(*snap_.config))
                       .arg(snap_.config->seed));
  }
  if (run_->isChecked() != snap_.running && !worker_->running()) {
    // the worker paused on its own (end of a scripted run, divergence)
    const QSignalBlocker block(run_);
    run_->setChecked(false);
    run_->setText(QStringLiteral("Run"));
  }
  // the 3D view takes a new frame only when it has drawn the last one, and
  // while running it leaves the renderer idle at least half the time: the
  // CPU is the simulation's
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  const bool free_run = snap_.running && worker_->speed() == 0;
  const int interval = free_run ? view_->upload_interval_ms() : 40;
  if (!snap_.running || (view_->ready_for_frame() && now - last_view_ms_ >= interval)) {
    last_view_ms_ = now;
    view_->show_snapshot(snap_, true);
  }
  plots_->add(snap_);
  if (now - last_panels_ms_ >= 100 || !snap_.running) {  // 10 Hz is plenty for 48 x 48 pictures
    last_panels_ms_ = now;
    const int n = snap_.config ? snap_.config->n : 0;
    input_panel_->set_image(frame_image(snap_.input, n, input_color()));
    target_panel_->set_image(frame_image(snap_.target, n, QColor(235, 235, 240)));
    output_panel_->set_image(frame_image(snap_.output, n, hit_color()));
    error_panel_->set_image(error_image(snap_.output, snap_.target, n));
    slice_->show_snapshot(snap_);
    update_input_state();
    update_status();
  }
}

void MainWindow::update_input_state() {
  static const QString kButton[] = {QStringLiteral("Input: on"), QStringLiteral("Input: off"),
                                    QStringLiteral("Input: replay")};
  input_->setText(kButton[static_cast<int>(input_mode_)]);
  QString style;
  if (input_mode_ == InputMode::kReplay || snap_.mode_next == InputMode::kReplay) {
    style = QStringLiteral("background:#3a4fb0;color:white;font-weight:bold;");
  } else if (input_mode_ == InputMode::kOff) {
    style = QStringLiteral("background:#b03030;color:white;font-weight:bold;");
  } else if (snap_.mode_next == InputMode::kOff) {
    style = QStringLiteral("background:#b07020;color:white;font-weight:bold;");
  } else {
    style = QStringLiteral("background:#2e8b40;color:white;font-weight:bold;");
  }
  status_input_->setText(QStringLiteral(" %1 ").arg(input_mode_text()));
  status_input_->setStyleSheet(style);
  // the panel shows the last step's input: the dot, nothing, or the network's own prediction
  input_panel_->set_title(snap_.metrics.replay     ? QStringLiteral("input (replay)")
                          : snap_.metrics.input_on ? QStringLiteral("input")
                                                   : QStringLiteral("input (off)"));
}

// The manual mode, and what the schedule makes of "on" at the next step.
QString MainWindow::input_mode_text() const {
  QString text = QString::fromLatin1(input_mode_name(input_mode_));
  if (input_mode_ == InputMode::kOn && snap_.mode_next == InputMode::kOff) text += QStringLiteral(" (schedule: off)");
  if (input_mode_ == InputMode::kOn && snap_.mode_next == InputMode::kReplay)
    text += QStringLiteral(" (schedule: replay)");
  return text;
}

void MainWindow::update_status() {
  status_step_->setText(QStringLiteral("step %1").arg(snap_.step));
  status_rate_->setText(QStringLiteral("%1 steps/s").arg(snap_.running ? snap_.steps_per_s : 0.0, 0, 'f', 0));
  status_fps_->setText(QStringLiteral("%1 frames/s").arg(view_->frames_per_s(), 0, 'f', 1));
  status_fire_->setText(QStringLiteral("firing %1").arg(snap_.metrics.fire, 0, 'f', 4));
  status_iou_->setText(QStringLiteral("IoU100 %1").arg(snap_.metrics.iou100, 0, 'f', 3));
}

QString MainWindow::status_text() const {
  QStringList parts;
  for (const QLabel* l : {status_input_, status_step_, status_rate_, status_fps_, status_fire_, status_iou_})
    parts << l->text().trimmed();
  return parts.join(QLatin1Char(' '));
}

void MainWindow::handle_messages() {
  for (const WorkerMessage& m : worker_->take_messages()) {
    const QString text = QString::fromStdString(m.text);
    if (scripted_) {
      std::fprintf(stderr, "spikecube: %s\n", m.text.c_str());
      Q_EMIT worker_message(m);
      continue;
    }
    if (m.kind == WorkerMessage::Kind::kInfo) {
      statusBar()->showMessage(text, 5000);
    } else {
      if (m.kind == WorkerMessage::Kind::kDiverged) {
        const QSignalBlocker block(run_);
        run_->setChecked(false);
        run_->setText(QStringLiteral("Run"));
      }
      show_error(m.kind == WorkerMessage::Kind::kDiverged ? QStringLiteral("Run paused") : QStringLiteral("Error"),
                 text);
    }
  }
}

void MainWindow::show_error(const QString& title, const QString& text) {
  statusBar()->showMessage(text, 10000);
  if (scripted_) {
    std::fprintf(stderr, "spikecube: %s\n", text.toLocal8Bit().constData());
    return;
  }
  auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // not modal-blocking: the poll timer keeps running
}

QString MainWindow::caption() const {
  QString c = QStringLiteral("spikecube  %1  ·  %2\nstep %3   IoU100 %4   firing %5   %6")
                  .arg(preset_.isEmpty() ? QStringLiteral("custom") : preset_,
                       snap_.config ? model_text(*snap_.config) : QString())
                  .arg(snap_.step)
                  .arg(snap_.metrics.iou100, 0, 'f', 3)
                  .arg(snap_.metrics.fire, 0, 'f', 4)
                  .arg(input_mode_text());
  if (view_->options().active_only) {
    if (std::isfinite(view_->effective_cut()))
      c += QStringLiteral("\nshown: spiking neurons and v/θ ≥ %1 (%2 voxels)")
               .arg(static_cast<double>(view_->effective_cut()), 0, 'f', 2)
               .arg(view_->visible_voxels());
    else  // the voxel budget is taken by spikes alone
      c += QStringLiteral("\nshown: spiking and recently spiked neurons only (%1 voxels)").arg(view_->visible_voxels());
  }
  if (snap_.neurons.stride > 1)
    c += QStringLiteral("\nsub-sampled: every %1th neuron along each axis").arg(snap_.neurons.stride);
  if (view_->options().group_colour && snap_.group_size > 0)
    c += QStringLiteral("\ncolour: mean v/θ of each %1×%1×%1 group").arg(snap_.group_size);
  return c;
}

void MainWindow::save_screenshot(const QString& path, std::function<void(bool, const QString&)> done) {
  view_->capture(
      [path, done = std::move(done)](const QImage& img) {
        try {
          if (img.isNull() || img.width() < 2) throw FileError(path.toStdString() + ": the 3D view returned no image");
          save_png_atomic(img, path);
          done(true, QStringLiteral("saved %1").arg(path));
        } catch (const std::exception& e) {
          done(false, QString::fromUtf8(e.what()));
        }
      },
      caption());
}

void MainWindow::save_window_screenshot(const QString& path, std::function<void(bool, const QString&)> done) {
  // the Qt3D window inside its container is not drawn by grab(): put the
  // renderer's own capture where the container sits
  view_->capture_scene([this, path, done = std::move(done)](const QImage& scene) {
    try {
      if (scene.isNull() || scene.width() < 2) throw FileError(path.toStdString() + ": the 3D view returned no image");
      QImage out = grab().toImage().convertToFormat(QImage::Format_RGB32);
      QPainter p(&out);
      p.drawImage(view_->scene_rect(this), scene);
      p.end();
      save_png_atomic(out, path);
      done(true, QStringLiteral("saved %1").arg(path));
    } catch (const std::exception& e) {
      done(false, QString::fromUtf8(e.what()));
    }
  });
}

QString MainWindow::save_slice(const QString& path) {
  try {
    const QString csv = slice_->save(path);
    statusBar()->showMessage(QStringLiteral("saved %1 and %2").arg(path, csv), 5000);
    return {};
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  }
}

void MainWindow::quick_screenshot() {
  QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
  if (dir.isEmpty() || !QDir(dir).exists()) dir = QDir::currentPath();
  const QString path = QDir(dir).filePath(QStringLiteral("spikecube-%1-step%2-%3.png")
                                              .arg(preset_.isEmpty() ? QStringLiteral("custom") : preset_)
                                              .arg(snap_.step)
                                              .arg(QDateTime::currentDateTime().toString(QStringLiteral("hhmmss"))));
  save_screenshot(path, [this](bool ok, const QString& msg) {
    if (ok) statusBar()->showMessage(msg, 5000);
    else show_error(QStringLiteral("Screenshot"), msg);
  });
}

void MainWindow::slice_dialog() {
  const QString path =
      QFileDialog::getSaveFileName(this, QStringLiteral("Save slice (PNG; values go to .csv beside it)"), QString(),
                                   QStringLiteral("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (const QString err = save_slice(path); !err.isEmpty()) show_error(QStringLiteral("Save slice"), err);
}

void MainWindow::open_config() {
  const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open config"), QString(),
                                                    QStringLiteral("TOML configs (*.toml);;All files (*)"));
  if (path.isEmpty()) return;
  try {
    const Config cfg = load_config_file(path.toStdString());
    run_->setChecked(false);
    worker_->load_config(cfg);
    preset_.clear();
    preset_box_->setCurrentIndex(0);
    statusBar()->showMessage(QStringLiteral("loaded %1").arg(path), 5000);
  } catch (const std::exception& e) {
    show_error(QStringLiteral("Open config"), QString::fromUtf8(e.what()));
  }
}

void MainWindow::save_config() {
  if (!snap_.config) return;
  const QString path = QFileDialog::getSaveFileName(
      this, QStringLiteral("Save config"), QStringLiteral("spikecube.toml"), QStringLiteral("TOML configs (*.toml)"));
  if (path.isEmpty()) return;
  try {
    write_file_atomic(path.toStdString(), to_toml(*snap_.config));
    statusBar()->showMessage(QStringLiteral("saved %1").arg(path), 5000);
  } catch (const std::exception& e) {
    show_error(QStringLiteral("Save config"), QString::fromUtf8(e.what()));
  }
}

void MainWindow::save_checkpoint() {
  const QString path =
      QFileDialog::getSaveFileName(this, QStringLiteral("Save checkpoint"), QStringLiteral("spikecube.h5"),
                                   QStringLiteral("HDF5 checkpoints (*.h5)"));
  if (path.isEmpty()) return;
  if (const QString err = save_checkpoint_to(path); !err.isEmpty()) show_error(QStringLiteral("Save checkpoint"), err);
}

QString MainWindow::save_checkpoint_to(const QString& path) {
  const std::string p = path.toStdString();
  std::string error;
  // runs on the simulation thread between two steps
  worker_->call([p, &error](Simulation& sim) {
    try {
      io::save_checkpoint(p, sim);
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  if (!error.empty()) return QString::fromStdString(error);
  statusBar()->showMessage(QStringLiteral("checkpoint saved: %1").arg(path), 5000);
  return {};
}

void MainWindow::load_checkpoint() {
  const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Load checkpoint"), QString(),
                                                    QStringLiteral("HDF5 checkpoints (*.h5);;All files (*)"));
  if (path.isEmpty()) return;
  load_checkpoint_from(path);
}

void MainWindow::load_checkpoint_from(const QString& path) {
  run_->setChecked(false);
  const std::string p = path.toStdString();
  // the checkpoint carries its own config, so any model can be resumed
  worker_->replace_with([p] { return io::open_checkpoint(p); });
  preset_.clear();
  preset_box_->setCurrentIndex(0);
  statusBar()->showMessage(QStringLiteral("loading checkpoint %1").arg(path), 5000);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  QMainWindow::closeEvent(event);
}

}  // namespace spikecube::ui
