#pragma once
// The spikecube main window: the 3D view in the middle, docks for the frames
// (input, target, prediction, error map), the slice heatmap, the live plots
// and the parameters; toolbar, menus, shortcuts and status bar. It owns the
// SimWorker and, on a timer, takes the newest snapshot and hands it to every
// view; it never reads the Simulation directly.

#include <QMainWindow>
#include <QString>
#include <functional>
#include <memory>

#include "core/config.hpp"
#include "core/input_mode.hpp"
#include "ui/sim_worker.hpp"
#include "ui/snapshot.hpp"

class QAction;
class QComboBox;
class QLabel;
class QTimer;

namespace spikecube::ui {

class FramePanel;
class ParamPanel;
class PlotsPanel;
class SlicePanel;
class ViewControls;
class VoxelView;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  // preset_name is shown in the title and remembered (QSettings) as the last
  // preset; cfg is the resolved configuration to start from. Throws
  // ConfigError for a bad cfg.
  MainWindow(const Config& cfg, const QString& preset_name, QWidget* parent = nullptr);
  ~MainWindow() override;

  SimWorker& worker() { return *worker_; }
  const Snapshot& snapshot() const { return snap_; }
  ParamPanel* params() const { return params_; }
  VoxelView* voxel_view() const { return view_; }
  ViewControls* view_controls() const { return view_controls_; }
  SlicePanel* slice_panel() const { return slice_; }
  QAction* run_action() const { return run_; }
  QAction* step_action() const { return step_; }
  QAction* input_action() const { return input_; }
  QAction* reset_action() const { return reset_; }
  QComboBox* speed_box() const { return speed_box_; }
  // The input mode the button last chose (it cycles on -> off -> replay;
  // on <-> off while kReplayAvailable is false).
  InputMode input_mode() const { return input_mode_; }
  // The status bar's permanent fields, space separated (input mode, step, ...).
  QString status_text() const;

  // Takes the newest snapshot (if any) and refreshes every view; the timer
  // calls it ~60 times a second.
  void poll();
  // Loads a preset by name (the run restarts paused).
  void load_preset(const QString& name);
  // Target rate in steps per second (0 = as fast as possible), shown in the
  // speed box when it is one of its entries; not remembered.
  void set_speed(double steps_per_s);
  // The user's choice in the speed box: set and remembered (QSettings) for
  // this kind of model (see ui/pace.hpp), which starts at it from now on.
  void choose_speed(double steps_per_s);
  // Saves the 3D view (with legend and caption) as PNG through a temp file;
  // done(ok, message) runs later on the GUI thread.
  void save_screenshot(const QString& path, std::function<void(bool, const QString&)> done);
  // Saves the whole window (docks, plots, status bar) with the 3D view's
  // rendered image in its place, as PNG through a temp file; done as above.
  void save_window_screenshot(const QString& path, std::function<void(bool, const QString&)> done);
  // Saves the slice panel's plane as PNG + CSV; returns an error text or "".
  QString save_slice(const QString& path);
  // Checkpoints (io/, HDF5), executed on the simulation thread between
  // steps. save returns an error text or ""; load replaces the Simulation by
  // the checkpoint's (its own config, so any model) and reports failures as
  // a message.
  QString save_checkpoint_to(const QString& path);
  void load_checkpoint_from(const QString& path);
  // Scripted use (ScriptRunner): worker messages and errors are printed on
  // stderr as one line each and passed on as worker_message, never shown in
  // a dialog nobody would click away.
  void set_scripted(bool on) { scripted_ = on; }

 Q_SIGNALS:
  // After every poll(); fresh_snapshot: a new snapshot was taken and shown.
  void polled(bool fresh_snapshot);
  // Scripted mode only: each message of the simulation thread.
  void worker_message(const spikecube::ui::WorkerMessage& m);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_docks();
  void build_actions();
  void build_toolbar();
  void build_file_menu();
  void build_menus();
  void build_status_bar();
  void on_new_snapshot(bool generation_changed);
  void handle_messages();
  void set_input_mode(InputMode mode);
  void update_input_state();
  QString input_mode_text() const;
  // the remembered or default pace of cfg's kind of model
  void apply_pace(const Config& cfg);
  void update_status();
  void open_config();
  void save_config();
  void save_checkpoint();
  void load_checkpoint();
  void quick_screenshot();
  void slice_dialog();
  void show_error(const QString& title, const QString& text);
  QString caption() const;

  std::unique_ptr<SimWorker> worker_;
  Snapshot snap_;
  std::uint64_t shown_generation_ = ~std::uint64_t{0};
  std::uint64_t shown_config_version_ = ~std::uint64_t{0};
  QString preset_;
  QString pace_kind_;  // kind of model whose pace is in force (ui/pace.hpp)
  InputMode input_mode_ = InputMode::kOn;
  QTimer* timer_;
  qint64 last_panels_ms_ = 0;
  qint64 last_view_ms_ = 0;

  VoxelView* view_;
  ViewControls* view_controls_;
  FramePanel* input_panel_;
  FramePanel* target_panel_;
  FramePanel* output_panel_;
  FramePanel* error_panel_;
  SlicePanel* slice_;
  PlotsPanel* plots_;
  ParamPanel* params_;

  QAction* run_ = nullptr;
  QAction* step_ = nullptr;
  QAction* input_ = nullptr;
  QAction* reset_ = nullptr;
  QAction* new_seed_ = nullptr;
  QAction* screenshot_ = nullptr;
  QComboBox* preset_box_ = nullptr;
  QComboBox* speed_box_ = nullptr;

  QLabel* status_step_;
  QLabel* status_rate_;
  QLabel* status_fps_;
  QLabel* status_fire_;
  QLabel* status_iou_;
  QLabel* status_input_;

  bool scripted_ = false;
};

}  // namespace spikecube::ui
