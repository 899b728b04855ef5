#pragma once
// Scripted use of the main window (tests, figures; see ScriptOptions): runs
// to --steps at full speed (or --speed), then saves the screenshots and the slice,
// prints a summary line on stderr and emits finished(exit code): 0, or 1 when
// an image could not be written or the worker reported an error or a
// divergence. While it runs, the window reports messages and errors on
// stderr instead of in dialogs.

#include <QObject>
#include <cstdint>
#include <vector>

#include "ui/script_options.hpp"

namespace spikecube::ui {

class MainWindow;
struct WorkerMessage;

class ScriptRunner : public QObject {
  Q_OBJECT
 public:
  ScriptRunner(MainWindow& window, ScriptOptions options, QObject* parent = nullptr);

  // Applies the view options and the speed, and starts the run.
  void start();

 Q_SIGNALS:
  void finished(int exit_code);

 private:
  void on_poll(bool fresh_snapshot);
  void on_message(const WorkerMessage& m);
  void finish();
  void save_images();
  void save_slice();
  void print_summary();

  MainWindow& window_;
  ScriptOptions opt_;
  bool active_ = false;
  std::int64_t target_ = 0;
  std::int64_t start_step_ = 0;
  int exit_code_ = 0;
  qint64 start_ms_ = 0, end_ms_ = 0;
  long long frames_ = 0;
  std::vector<double> rates_;  // the worker's half-second rate measurements
};

}  // namespace spikecube::ui
