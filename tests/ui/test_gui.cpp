// GUI smoke tests under a private Xvfb: the main window on 01_01 and cube-4
// runs, its 3D screenshot shows coloured voxels, the input switch and a rate
// edit reach the model; the scripted command line saves images and rejects
// bad flags with exit status 2. Skipped (with the reason) without Xvfb.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <QAction>
#include <QApplication>
#include <QColor>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QImage>
#include <QLineEdit>
#include <QSettings>
#include <QStatusBar>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "core/config.hpp"
#include "core/input_mode.hpp"
#include "core/simulation.hpp"
#include "core/state_archive.hpp"
#include "scratch_files.hpp"
#include "ui/colormap.hpp"
#include "ui/main_window.hpp"
#include "ui/param_panel.hpp"
#include "ui/plots_panel.hpp"
#include "ui/script_options.hpp"
#include "ui/script_runner.hpp"
#include "ui/view_controls.hpp"
#include "ui/voxel_view.hpp"
#include "xvfb.hpp"

namespace spikecube::ui {
namespace {

namespace fs = std::filesystem;

using test::read_text;

fs::path temp_dir() {
  static const fs::path dir = test::scratch_dir("spikecube_gui_test");
  return dir;
}

// One Xvfb and one QApplication per test process (ctest runs each test in
// its own process).
struct GuiEnv {
  test::Xvfb xvfb;
  std::unique_ptr<QApplication> app;
  GuiEnv() {
    if (!xvfb.ok()) return;
    setenv("DISPLAY", xvfb.display().c_str(), 1);
    setenv("QT_QPA_PLATFORM", "xcb", 1);
    setenv("QT3D_RENDERER", "opengl", 1);
    setenv("LP_NUM_THREADS", "1", 0);
    setenv("XDG_CONFIG_HOME", temp_dir().c_str(), 1);         // QSettings stay out of $HOME
    QApplication::setAttribute(Qt::AA_DontUseNativeDialogs);  // file dialogs the tests can answer
    static int argc = 1;
    static char name[] = "test_gui";
    static char* argv[] = {name, nullptr};
    app = std::make_unique<QApplication>(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("spikecube-test"));
    QApplication::setApplicationName(QStringLiteral("spikecube-test"));
  }
  ~GuiEnv() { app.reset(); }
};

GuiEnv* g_env = nullptr;

GuiEnv& env() {
  static GuiEnv e;
  g_env = &e;
  return e;
}

// The QApplication goes before the program's exit handlers run: destroyed
// from a static destructor it crashes in a Qt post routine once a file
// dialog has been used.
struct AppTeardown : testing::Environment {
  void TearDown() override {
    if (g_env) g_env->app.reset();
  }
};
[[maybe_unused]] testing::Environment* const kAppTeardown = testing::AddGlobalTestEnvironment(new AppTeardown);

#define REQUIRE_DISPLAY()                                                                        \
  do {                                                                                           \
    if (!env().xvfb.ok()) GTEST_SKIP() << "no X server for GUI tests: " << env().xvfb.why_not(); \
  } while (0)

template <typename Pred>
bool pump_until(Pred pred, int limit_ms = 60000) {
  QElapsedTimer t;
  t.start();
  while (!pred()) {
    if (t.elapsed() > limit_ms) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 10);
    QThread::msleep(2);
  }
  return true;
}

void pump_for(int ms) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) {
    QApplication::processEvents(QEventLoop::AllEvents, 10);
    QThread::msleep(2);
  }
}

void run_steps(MainWindow& w, std::int64_t steps) {
  w.worker().run_until(steps);
  ASSERT_TRUE(pump_until([&] { return w.snapshot().step >= steps && !w.snapshot().running; }))
      << "the run did not reach step " << steps;
}

QImage screenshot(MainWindow& w, const std::string& name) {
  // the window hands a paused run's last snapshot to the view at once; wait
  // until the renderer has drawn a frame of it (the capture syncs the rest)
  pump_for(20);
  EXPECT_TRUE(pump_until([&] { return w.voxel_view()->ready_for_frame(); }, 30000)) << "the view drew no frame";
  const QString path = QString::fromStdString((temp_dir() / name).string());
  bool done = false, ok = false;
  QString msg;
  w.save_screenshot(path, [&](bool k, const QString& m) {
    done = true;
    ok = k;
    msg = m;
  });
  EXPECT_TRUE(pump_until([&] { return done; }, 30000)) << "no screenshot callback";
  EXPECT_TRUE(ok) << msg.toStdString();
  return QImage(path);
}

struct Content {
  int pixels = 0;  // differ clearly from the background
  int hues = 0;    // 30-degree hue buckets holding >= 30 saturated pixels
};

// Looks only at the rendered 3D area: the composed screenshot adds a caption
// (top) and the colour legend (right), which must not count.
Content analyse(const QImage& img) {
  Content c;
  const QColor bg = background_color();
  int buckets[12] = {};
  for (int y = 60; y < img.height(); ++y) {
    for (int x = 0; x < img.width() - 120; ++x) {
      const QColor p = img.pixelColor(x, y);
      const int d = std::abs(p.red() - bg.red()) + std::abs(p.green() - bg.green()) + std::abs(p.blue() - bg.blue());
      if (d < 60) continue;
      ++c.pixels;
      if (p.hsvSaturation() > 90 && p.value() > 70 && p.hsvHue() >= 0) ++buckets[p.hsvHue() / 30];
    }
  }
  for (int b : buckets) c.hues += b >= 30 ? 1 : 0;
  return c;
}

// What every model's screenshot must show: voxels, in more than one colour.
void expect_coloured_voxels(const QImage& img) {
  ASSERT_FALSE(img.isNull());
  const Content c = analyse(img);
  EXPECT_GT(c.pixels, 5000) << "the 3D view looks blank";
  EXPECT_GE(c.hues, 2) << "the 3D view is one colour";
}

std::unique_ptr<MainWindow> open_window(const Config& cfg, const std::string& name, bool resize = true) {
  auto w = std::make_unique<MainWindow>(cfg, QString::fromStdString(name));
  if (resize) w->resize(1300, 850);
  w->show();
  pump_until([&] { return w->snapshot().seq > 0; });
  return w;
}

std::unique_ptr<MainWindow> open_window(const std::string& preset) { return open_window(load_preset(preset), preset); }

TEST(Gui, Layer0101ScreenshotShowsColouredVoxels) {
  REQUIRE_DISPLAY();
  auto w = open_window("01_01");
  run_steps(*w, 300);
  expect_coloured_voxels(screenshot(*w, "layer.png"));
}

TEST(Gui, Cube4ScreenshotShowsColouredVoxels) {
  REQUIRE_DISPLAY();
  auto w = open_window("cube-4");
  w->view_controls()->set_active_only(false);  // draw the whole 48 x 48 x 4 lattice
  run_steps(*w, 300);
  expect_coloured_voxels(screenshot(*w, "cube4.png"));
}

// Pixels that differ clearly between two screenshots of the same size.
int differing_pixels(const QImage& a, const QImage& b) {
  if (a.size() != b.size()) return -1;
  int n = 0;
  for (int y = 60; y < a.height(); ++y)
    for (int x = 0; x < a.width() - 120; ++x) {
      const QColor p = a.pixelColor(x, y), q = b.pixelColor(x, y);
      n += std::abs(p.red() - q.red()) + std::abs(p.green() - q.green()) + std::abs(p.blue() - q.blue()) > 40 ? 1 : 0;
    }
  return n;
}

TEST(Gui, TransparentSlabAndPointModesChangeThePicture) {
  REQUIRE_DISPLAY();
  auto w = open_window("cube-4");
  w->view_controls()->set_active_only(false);
  run_steps(*w, 200);
  const QImage opaque = screenshot(*w, "opaque.png");
  expect_coloured_voxels(opaque);
  // the same state, drawn transparent: still voxels, but not the same picture
  w->voxel_view()->set_transparent(true);
  const QImage transparent = screenshot(*w, "transparent.png");
  EXPECT_GT(analyse(transparent).pixels, 3000);
  EXPECT_GT(differing_pixels(opaque, transparent), 2000) << "the transparent toggle changed nothing";
  w->voxel_view()->set_transparent(false);
  EXPECT_LT(differing_pixels(opaque, screenshot(*w, "opaque_again.png")), 500) << "toggling back restores the picture";
  w->view_controls()->set_point_mode(true);
  const QImage points = screenshot(*w, "points.png");
  EXPECT_GT(analyse(points).pixels, 3000);
  EXPECT_GT(differing_pixels(opaque, points), 2000) << "the point toggle changed nothing";
  w->view_controls()->set_point_mode(false);
  w->view_controls()->set_slab(2, 0, 1);  // z in [0, 1] only
  const int slab_voxels = w->voxel_view()->visible_voxels();
  EXPECT_GE(slab_voxels, 48 * 48 * 2);  // two layers, plus the input and prediction pixels
  EXPECT_LT(slab_voxels, 48 * 48 * 2 + 50);
  EXPECT_GT(differing_pixels(opaque, screenshot(*w, "slab.png")), 2000) << "the slab changed nothing";
}

bool model_input_enabled(MainWindow& w) {
  bool enabled = false;
  EXPECT_TRUE(w.worker().call([&](Simulation& sim) { enabled = sim.input_enabled(); }));
  return enabled;
}

// The I key, as a user presses it (through the window's shortcut map).
void press_i(MainWindow& w) {
  w.activateWindow();
  pump_until([&] { return w.isActiveWindow(); }, 3000);
  QTest::keyClick(&w, Qt::Key_I);
}

// A replay window of the config's schedule is named in the status bar before
// it starts, and the steps inside it replay.
TEST(Gui, ScheduledReplayIsNamedAndReplays) {
  REQUIRE_DISPLAY();
  Config cfg = load_preset("01_01");
  cfg.n = 20;
  cfg.replay = {{4, 6}};
  auto w = open_window(cfg, "01_01");
  run_steps(*w, 3);
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step == 3; }));
  EXPECT_TRUE(w->status_text().contains(QStringLiteral("input on (schedule: replay)")))
      << w->status_text().toStdString();
  run_steps(*w, 4);
  bool replayed = false;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { replayed = sim.last().replay; }));
  EXPECT_TRUE(replayed);
  run_steps(*w, 7);
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { replayed = sim.last().replay; }));
  EXPECT_FALSE(replayed) << "step 7 is after the window";
  EXPECT_TRUE(w->status_text().contains(QStringLiteral("input on"))) << w->status_text().toStdString();
}

TEST(Gui, InputKeyCyclesOnOffAndReachesTheModel) {
  REQUIRE_DISPLAY();
  ASSERT_TRUE(kReplayAvailable);
  auto w = open_window("01_01");
  EXPECT_EQ(w->input_mode(), InputMode::kOn);
  press_i(*w);
  ASSERT_EQ(w->input_mode(), InputMode::kOff) << "the I key did not reach the input action";
  w->step_action()->trigger();
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step >= 1; }));
  EXPECT_FALSE(model_input_enabled(*w));
  bool on = true;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { on = sim.last().input_on; }));
  EXPECT_FALSE(on);
  ASSERT_TRUE(pump_until([&] { return w->snapshot().input_mode == InputMode::kOff; }));
  EXPECT_TRUE(w->status_text().contains(QStringLiteral("input off"))) << w->status_text().toStdString();

  // the next press replays from memory: the input is the last prediction
  press_i(*w);
  ASSERT_EQ(w->input_mode(), InputMode::kReplay);
  Frame prediction;
  InputMode engine_mode = InputMode::kOn;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) {
    prediction = sim.output_frame();
    engine_mode = sim.input_mode();
  }));
  ASSERT_EQ(engine_mode, InputMode::kReplay);
  w->step_action()->trigger();
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step >= 2; }));
  bool replayed = false;
  Frame input;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) {
    replayed = sim.last().replay;
    input = sim.input_frame();
  }));
  EXPECT_TRUE(replayed);
  EXPECT_EQ(input, prediction);
  ASSERT_TRUE(pump_until([&] { return w->snapshot().input_mode == InputMode::kReplay; }));
  EXPECT_TRUE(w->status_text().contains(QStringLiteral("replay from memory"))) << w->status_text().toStdString();

  // and the next is back to on
  press_i(*w);
  EXPECT_EQ(w->input_mode(), InputMode::kOn);
  w->step_action()->trigger();
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step >= 3; }));
  EXPECT_TRUE(model_input_enabled(*w));
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { on = sim.last().input_on; }));
  EXPECT_TRUE(on);
  ASSERT_TRUE(pump_until([&] { return w->snapshot().input_mode == InputMode::kOn; }));
  EXPECT_TRUE(w->status_text().contains(QStringLiteral("input on"))) << w->status_text().toStdString();
}

// Interactive windows start at the README's watchable pace of their kind of
// model; a speed the user picks is remembered for that kind only.
TEST(Gui, InteractiveWindowStartsAtTheDocumentedPaceAndRemembersTheChoice) {
  REQUIRE_DISPLAY();
  QSettings().remove(QStringLiteral("speed"));
  {
    auto w = open_window("01_01");
    EXPECT_EQ(w->worker().speed(), 30);
    EXPECT_EQ(w->speed_box()->currentText(), QStringLiteral("30 steps/s"));
    EXPECT_EQ(w->speed_box()->itemText(0), QStringLiteral("max speed"));
    w->load_preset(QStringLiteral("cube-4"));  // another kind of model, its own pace
    ASSERT_TRUE(pump_until([&] { return w->snapshot().config && w->snapshot().config->model == "cube"; }));
    EXPECT_EQ(w->worker().speed(), 15);
    w->load_preset(QStringLiteral("01_02"));
    ASSERT_TRUE(pump_until([&] { return w->snapshot().config && w->snapshot().config->model == "layer"; }));
    EXPECT_EQ(w->worker().speed(), 30);
    w->choose_speed(100);
    EXPECT_EQ(w->worker().speed(), 100);
  }
  auto again = open_window("01_01");
  EXPECT_EQ(again->worker().speed(), 100);
  EXPECT_EQ(again->speed_box()->currentText(), QStringLiteral("100 steps/s"));
  auto cube = open_window("cube-4");
  EXPECT_EQ(cube->worker().speed(), 15);
  QSettings().remove(QStringLiteral("speed"));
}

TEST(Gui, ScriptedRunGoesFlatOutUnlessASpeedIsGiven) {
  REQUIRE_DISPLAY();
  QSettings().remove(QStringLiteral("speed"));
  auto w = open_window("01_01");
  ASSERT_EQ(w->worker().speed(), 30);
  ScriptOptions fast;
  fast.steps = 50;
  ScriptRunner runner(*w, fast);
  runner.start();
  EXPECT_EQ(w->worker().speed(), 0);
  ScriptOptions paced;
  paced.steps = 60;
  paced.speed = 300;
  ScriptRunner paced_runner(*w, paced);
  paced_runner.start();
  EXPECT_EQ(w->worker().speed(), 300);
}

TEST(Gui, RateEditReachesTheModelClampedToItsRange) {
  REQUIRE_DISPLAY();
  auto w = open_window("01_01");
  w->params()->edit(QStringLiteral("readout.eta_out"), 0.0375);
  double eta_out = 0;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { eta_out = sim.config().eta_out; }));
  EXPECT_DOUBLE_EQ(eta_out, 0.0375);
  // beyond the spec's maximum: the control clamps, the model gets the maximum
  const ParamSpec* spec = find_param("stdp.a_plus");
  ASSERT_NE(spec, nullptr);
  w->params()->edit(QStringLiteral("stdp.a_plus"), spec->max * 5);
  double a_plus = 0;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { a_plus = sim.config().a_plus; }));
  EXPECT_DOUBLE_EQ(a_plus, spec->max);
  EXPECT_TRUE(w->worker().take_messages().empty());
  // the panel shows what the model holds
  ASSERT_TRUE(pump_until([&] { return w->snapshot().config && w->snapshot().config->a_plus == spec->max; }));
}

TEST(Gui, CheckpointSaveAndLoadRoundTrip) {
  REQUIRE_DISPLAY();
  auto w = open_window("01_01");
  run_steps(*w, 120);
  std::uint64_t saved_hash = 0;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { saved_hash = sim.model().state_hash(); }));
  const QString path = QString::fromStdString((temp_dir() / "gui.h5").string());
  ASSERT_EQ(w->save_checkpoint_to(path), QString());
  run_steps(*w, 200);  // move on, then go back
  w->load_checkpoint_from(path);
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step == 120; }));
  std::uint64_t loaded_hash = 1;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { loaded_hash = sim.model().state_hash(); }));
  EXPECT_EQ(loaded_hash, saved_hash);
  EXPECT_TRUE(w->worker().take_messages().empty());
  // saving where no folder exists: an error text
  EXPECT_NE(w->save_checkpoint_to(QString::fromStdString((temp_dir() / "no_such_dir" / "x.h5").string())), QString());
  // loading a file that is not a checkpoint: an error message, the run unchanged
  run_steps(*w, 150);
  std::uint64_t before = 0;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { before = sim.model().state_hash(); }));
  const fs::path bad = temp_dir() / "not_a_checkpoint.h5";
  std::ofstream(bad) << "[model]\ntype = \"layer\"\n" << std::string(4096, 'x');
  w->load_checkpoint_from(QString::fromStdString(bad.string()));
  // the window shows the worker's error in the status bar (and a message box)
  ASSERT_TRUE(pump_until(
      [&] { return w->statusBar()->currentMessage().contains(QStringLiteral("not_a_checkpoint.h5")); }, 30000))
      << w->statusBar()->currentMessage().toStdString();
  std::uint64_t after = 1;
  std::int64_t step = 0;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) {
    after = sim.model().state_hash();
    step = sim.step_count();
  }));
  EXPECT_EQ(after, before);
  EXPECT_EQ(step, 150);
}

// --- the executable ---------------------------------------------------------

int run(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The scripted summary line prints only what was measured: with no steps
// run there is no rate at all, never a "steps_per_s 0".
TEST(GuiCli, ScriptedSummaryWithoutStepsPrintsNoRates) {
  REQUIRE_DISPLAY();
  const fs::path shot = temp_dir() / "no_steps.png", err = temp_dir() / "no_steps.txt";
  const std::string cmd = "DISPLAY=" + env().xvfb.display() + " XDG_CONFIG_HOME=" + temp_dir().string() + " " +
                          SPIKECUBE_GUI_BIN + " --preset 01_01 --screenshot " + shot.string() + " --quit 2>" +
                          err.string();
  ASSERT_EQ(run(cmd), 0) << read_text(err);
  const std::string text = read_text(err);
  const auto at = text.find("spikecube: step 0, IoU100");
  ASSERT_NE(at, std::string::npos) << text;
  const std::string line = text.substr(at, text.find('\n', at) - at);
  EXPECT_EQ(line.find("steps_per_s"), std::string::npos) << line;
  EXPECT_NE(line.find("frames_per_s"), std::string::npos) << line;
  EXPECT_NE(line.find("visible voxels"), std::string::npos) << line;
}

// A slice CSV of the plane z = 0 (rows y, columns x, %.6g) against the
// potentials of a headless run of `steps` steps.
void expect_csv_matches_headless(const std::string& csv_text, const Config& cfg, int steps) {
  Simulation sim(cfg);
  for (int t = 0; t < steps; ++t) sim.step();
  NeuronView v;
  sim.model().view(v, 1 << 30);
  const int n = cfg.n;
  std::istringstream csv(csv_text);
  std::string line;
  int rows = 0, above = 0;
  while (std::getline(csv, line)) {
    std::istringstream row(line);
    std::string cell;
    int x = 0;
    for (; std::getline(row, cell, ','); ++x) {
      ASSERT_LT(x, n) << "row " << rows;
      const double expect = v.potential[static_cast<std::size_t>(rows * n + x)];
      ASSERT_NEAR(std::stod(cell), expect, 1e-5 * std::max(1.0, std::abs(expect))) << "x " << x << " y " << rows;
      above += expect > 0.1 ? 1 : 0;
    }
    EXPECT_EQ(x, n) << "row " << rows;
    ++rows;
  }
  EXPECT_EQ(rows, n);
  EXPECT_GT(above, 0) << "a plane of zeros would match too easily";
}

TEST(GuiCli, BadFlagsExitWithStatus2AndOneLine) {
  const fs::path err = temp_dir() / "err.txt";
  for (const std::string args : {"--steps abc", "--bogus", "--slice-png q:0:x.png", "--preset no_such_preset",
                                 "--speed fast", "--steps", "--screenshot-window", "--screenshot-window=", "--steps -1",
                                 "--seed -1", "--preset cube-4 --slice-png z:99:x.png"}) {
    EXPECT_EQ(run(std::string(SPIKECUBE_GUI_BIN) + " " + args + " 2>" + err.string()), 2) << args;
    const std::string text = read_text(err);
    EXPECT_FALSE(text.empty()) << args;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << args << ": " << text;
  }
}

TEST(GuiCli, ScriptedRunSavesScreenshotAndSlice) {
  REQUIRE_DISPLAY();
  const fs::path shot = temp_dir() / "cli_shot.png", slice = temp_dir() / "cli_slice.png";
  const std::string cmd = "DISPLAY=" + env().xvfb.display() + " XDG_CONFIG_HOME=" + temp_dir().string() + " " +
                          SPIKECUBE_GUI_BIN + " --preset 01_01 --steps 200 --seed 3 --screenshot " + shot.string() +
                          " --slice-png z:0:" + slice.string() + " --quit 2>" + (temp_dir() / "cli.txt").string();
  ASSERT_EQ(run(cmd), 0) << read_text(temp_dir() / "cli.txt");
  const QImage img(QString::fromStdString(shot.string()));
  ASSERT_FALSE(img.isNull());
  EXPECT_GT(analyse(img).pixels, 5000);
  EXPECT_FALSE(QImage(QString::fromStdString(slice.string())).isNull());
  // the slice's values: v / theta of the 48 x 48 plane, as a headless run of
  // the same preset and seed has them after 200 steps
  Config cfg = load_preset("01_01");
  cfg.seed = 3;
  expect_csv_matches_headless(read_text(temp_dir() / "cli_slice.csv"), cfg, 200);
}

// --- controls, files and live commands -------------------------------------

// The window's action whose text (without '&') starts with `text`.
QAction* find_action(MainWindow& w, const QString& text) {
  for (QAction* a : w.findChildren<QAction*>()) {
    QString t = a->text();
    t.remove(QLatin1Char('&'));
    if (t.startsWith(text)) return a;
  }
  return nullptr;
}

// The toolbar combo box that holds an item `item`.
QComboBox* find_combo(MainWindow& w, const QString& item) {
  for (QComboBox* c : w.findChildren<QComboBox*>())
    if (c->findText(item) >= 0) return c;
  return nullptr;
}

// Picks an entry of the speed box as a user does (the box acts on
// `activated`, so the choice is remembered for the kind of model).
void choose_speed(MainWindow& w, const QString& label) {
  QComboBox* speed = find_combo(w, QStringLiteral("max speed"));
  ASSERT_NE(speed, nullptr);
  const int i = speed->findText(label);
  ASSERT_GE(i, 0) << label.toStdString();
  speed->setCurrentIndex(i);
  Q_EMIT speed->activated(i);
}

// Answers the next file dialog with `path` (the dialogs are modal: they run
// their own event loop, in which this timer fires).
void answer_file_dialog(const QString& path) {
  auto* timer = new QTimer(qApp);
  QObject::connect(timer, &QTimer::timeout, [timer, path] {
    for (QWidget* top : QApplication::topLevelWidgets()) {
      auto* d = qobject_cast<QFileDialog*>(top);
      if (!d || !d->isVisible()) continue;
      timer->stop();
      timer->deleteLater();
      // typed into the name field, as a user would (selectFile() can lose
      // the race with the dialog's own initial name)
      if (auto* name = d->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"))) name->setText(path);
      else d->selectFile(path);
      static_cast<QDialog*>(d)->accept();  // QFileDialog::accept, reached through the public base
      return;
    }
  });
  timer->start(50);
}

std::uint64_t model_hash(MainWindow& w) {
  std::uint64_t h = 0;
  EXPECT_TRUE(w.worker().call([&](Simulation& sim) { h = sim.model().state_hash(); }));
  return h;
}

// Waits until the worker is paused and the window shows its last step.
std::int64_t settle(MainWindow& w) {
  EXPECT_TRUE(pump_until([&] {
    return !w.worker().running() && w.snapshot().seq > 0 && !w.snapshot().running &&
           w.snapshot().step == w.worker().step_count();
  }));
  return w.snapshot().step;
}

Config small_layer() {
  Config c = load_preset("01_01");
  c.n = 20;  // quick, same code paths
  return c;
}

TEST(GuiVsHeadless, LiveCommandsMidRunGiveTheHeadlessReplay) {
  // The README: every control is a command applied between two steps, so a
  // GUI run with live changes equals a headless run given the same changes
  // at the same steps. The window gets them through its actions and panels:
  // single steps, the input switch, two parameter edits, Run and Pause at a
  // step nobody chose, the input back on, and a run to a fixed step.
  REQUIRE_DISPLAY();
  const Config cfg = small_layer();
  auto w = open_window(cfg, "01_01");
  choose_speed(*w, QStringLiteral("max speed"));  // the window starts at a watchable pace
  for (int i = 0; i < 3; ++i) w->step_action()->trigger();
  ASSERT_TRUE(pump_until([&] { return w->worker().step_count() == 3; }));
  w->input_action()->trigger();  // off after step 3
  run_steps(*w, 40);
  w->params()->edit(QStringLiteral("readout.eta_out"), 0.05);
  w->params()->edit(QStringLiteral("neuron.noise"), 0.004);
  double eta_out = 0, noise = 0;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) {
    eta_out = sim.config().eta_out;
    noise = sim.config().noise;
  }));
  EXPECT_NEAR(eta_out, 0.05, 1e-9);
  EXPECT_NEAR(noise, 0.004, 1e-9);
  w->run_action()->trigger();  // Run
  EXPECT_TRUE(w->run_action()->isChecked());
  ASSERT_TRUE(pump_until([&] { return w->worker().step_count() >= 120; }));
  w->run_action()->trigger();  // Pause, wherever the run is
  EXPECT_FALSE(w->run_action()->isChecked());
  const std::int64_t paused = settle(*w);
  ASSERT_GE(paused, 120);
  w->input_action()->trigger();  // off -> replay from memory
  w->input_action()->trigger();  // -> back on, before any step replays
  EXPECT_EQ(w->input_mode(), InputMode::kOn);
  run_steps(*w, paused + 60);
  const std::uint64_t gui = model_hash(*w);
  StepMetrics gui_last;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { gui_last = sim.last(); }));

  Simulation sim(cfg);
  for (int t = 0; t < 3; ++t) sim.step();
  sim.set_input_enabled(false);
  while (sim.step_count() < 40) sim.step();
  sim.set_param("readout.eta_out", eta_out);
  sim.set_param("neuron.noise", noise);
  while (sim.step_count() < paused) sim.step();
  sim.set_input_enabled(true);
  while (sim.step_count() < paused + 60) sim.step();
  EXPECT_EQ(gui, sim.model().state_hash());
  EXPECT_EQ(gui_last.iou100, sim.last().iou100);
  EXPECT_EQ(gui_last.fire, sim.last().fire);
  // and the commands mattered: without them the run differs
  Simulation plain(cfg);
  while (plain.step_count() < paused + 60) plain.step();
  EXPECT_NE(gui, plain.model().state_hash());
}

TEST(GuiControls, RunPauseResetNewSeedSpeedAndPresetMenu) {
  REQUIRE_DISPLAY();
  const Config cfg = small_layer();
  auto w = open_window(cfg, "01_01");
  choose_speed(*w, QStringLiteral("max speed"));  // the window starts at a watchable pace
  // Run / Pause
  EXPECT_EQ(w->run_action()->text(), QStringLiteral("Run"));
  w->run_action()->trigger();
  EXPECT_EQ(w->run_action()->text(), QStringLiteral("Pause"));
  ASSERT_TRUE(pump_until([&] { return w->snapshot().running && w->snapshot().step > 10; }));
  w->run_action()->trigger();
  EXPECT_EQ(w->run_action()->text(), QStringLiteral("Run"));
  const std::int64_t paused = settle(*w);
  pump_for(100);
  EXPECT_EQ(w->worker().step_count(), paused) << "paused means no more steps";
  // Reset: step 0, the same seed, and the same run again
  w->reset_action()->trigger();
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step == 0 && w->worker().step_count() == 0; }));
  EXPECT_EQ(w->snapshot().config->seed, cfg.seed);
  run_steps(*w, 30);
  Simulation headless(cfg);
  for (int t = 0; t < 30; ++t) headless.step();
  EXPECT_EQ(model_hash(*w), headless.model().state_hash());
  // New seed: step 0 and the next seed
  QAction* new_seed = find_action(*w, QStringLiteral("New seed"));
  ASSERT_NE(new_seed, nullptr);
  new_seed->trigger();
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step == 0 && w->snapshot().config->seed == cfg.seed + 1; }));
  EXPECT_TRUE(w->windowTitle().contains(QStringLiteral("seed %1").arg(cfg.seed + 1))) << w->windowTitle().toStdString();
  // speed box: each entry reaches the worker
  for (const auto& [label, rate] :
       {std::pair{"100 steps/s", 100.0}, std::pair{"1 step/s", 1.0}, std::pair{"max speed", 0.0}}) {
    choose_speed(*w, QString::fromLatin1(label));
    EXPECT_EQ(w->worker().speed(), rate) << label;
  }
  // preset menu: loads the preset, paused at step 0, and remembers it
  QComboBox* presets = find_combo(*w, QStringLiteral("cube-4"));
  ASSERT_NE(presets, nullptr);
  Q_EMIT presets->activated(presets->findText(QStringLiteral("cube-4")));
  ASSERT_TRUE(pump_until([&] { return w->snapshot().config && w->snapshot().config->model == "cube"; }));
  EXPECT_EQ(w->snapshot().step, 0);
  EXPECT_FALSE(w->worker().running());
  EXPECT_EQ(w->snapshot().config->depth, 4);
  EXPECT_EQ(QSettings().value(QStringLiteral("last_preset")).toString(), QStringLiteral("cube-4"));
  EXPECT_TRUE(w->windowTitle().contains(QStringLiteral("cube-4"))) << w->windowTitle().toStdString();
}

TEST(GuiControls, KeyboardShortcuts) {
  REQUIRE_DISPLAY();
  auto w = open_window(small_layer(), "01_01");
  choose_speed(*w, QStringLiteral("max speed"));
  w->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(w.get())) << "the window did not become active";
  QTest::keyClick(w.get(), Qt::Key_N);  // one step
  ASSERT_TRUE(pump_until([&] { return w->worker().step_count() == 1; }));
  QTest::keyClick(w.get(), Qt::Key_I);  // input off
  EXPECT_EQ(w->input_mode(), InputMode::kOff);
  QTest::keyClick(w.get(), Qt::Key_N);
  ASSERT_TRUE(pump_until([&] { return w->worker().step_count() == 2; }));
  bool on = true;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { on = sim.last().input_on; }));
  EXPECT_FALSE(on);
  QTest::keyClick(w.get(), Qt::Key_I);  // replay from memory
  EXPECT_EQ(w->input_mode(), InputMode::kReplay);
  QTest::keyClick(w.get(), Qt::Key_I);  // back on
  EXPECT_EQ(w->input_mode(), InputMode::kOn);
  QTest::keyClick(w.get(), Qt::Key_Space);  // run
  ASSERT_TRUE(pump_until([&] { return w->worker().step_count() > 20; }));
  QTest::keyClick(w.get(), Qt::Key_Space);  // pause
  EXPECT_FALSE(w->run_action()->isChecked());
  settle(*w);
  QTest::keyClick(w.get(), Qt::Key_R);  // reset
  ASSERT_TRUE(pump_until([&] { return w->worker().step_count() == 0 && w->snapshot().step == 0; }));
  // the menu shortcuts are bound to the file actions
  EXPECT_EQ(find_action(*w, QStringLiteral("Open config"))->shortcut(), QKeySequence(QKeySequence::Open));
  EXPECT_EQ(find_action(*w, QStringLiteral("Save config"))->shortcut(), QKeySequence(QKeySequence::Save));
  EXPECT_EQ(find_action(*w, QStringLiteral("Screenshot"))->shortcut(), QKeySequence(Qt::Key_S));
}

TEST(GuiFiles, OpenAndSaveConfigAndSaveSliceThroughTheMenus) {
  REQUIRE_DISPLAY();
  Config cfg = small_layer();
  cfg.seed = 4;
  auto w = open_window(cfg, "01_01");
  // Save config...: the file is the running config, resolved
  const QString saved = QString::fromStdString((temp_dir() / "saved.toml").string());
  QAction* save = find_action(*w, QStringLiteral("Save config"));
  ASSERT_NE(save, nullptr);
  answer_file_dialog(saved);
  save->trigger();
  ASSERT_TRUE(pump_until([&] { return fs::exists(saved.toStdString()); }, 30000));
  const Config back = load_config_file(saved.toStdString());
  EXPECT_EQ(back.n, 20);
  EXPECT_EQ(back.seed, 4u);
  EXPECT_EQ(to_toml(back), to_toml(cfg));
  // Open config...: another config replaces the run
  Config other = cfg;
  other.n = 12;
  other.seed = 9;
  const fs::path other_path = temp_dir() / "other.toml";
  std::ofstream(other_path) << to_toml(other);
  answer_file_dialog(QString::fromStdString(other_path.string()));
  find_action(*w, QStringLiteral("Open config"))->trigger();
  ASSERT_TRUE(pump_until([&] { return w->snapshot().config && w->snapshot().config->n == 12; }, 30000))
      << w->statusBar()->currentMessage().toStdString();
  EXPECT_EQ(w->snapshot().config->seed, 9u);
  // Save slice...: PNG plus CSV of the shown plane, the values of a headless run
  run_steps(*w, 150);
  pump_for(150);  // the slice panel refreshes at 10 Hz
  const fs::path png = temp_dir() / "menu_slice.png";
  answer_file_dialog(QString::fromStdString(png.string()));
  find_action(*w, QStringLiteral("Save slice"))->trigger();
  ASSERT_TRUE(pump_until([&] { return fs::exists(temp_dir() / "menu_slice.csv"); }, 30000));
  EXPECT_FALSE(QImage(QString::fromStdString(png.string())).isNull());
  expect_csv_matches_headless(read_text(temp_dir() / "menu_slice.csv"), other, 150);
}

TEST(GuiControls, LayoutIsRemembered) {
  REQUIRE_DISPLAY();
  {
    auto w = open_window(small_layer(), "01_01");
    w->resize(1520, 880);  // not the tests' 1300 x 850, and above the window's minimum
    auto* params = w->findChild<QDockWidget*>(QStringLiteral("params_dock"));
    ASSERT_NE(params, nullptr);
    params->hide();
    pump_for(100);
    w->close();
  }
  auto w = open_window(small_layer(), "01_01", false);
  pump_for(100);
  EXPECT_EQ(w->size(), QSize(1520, 880));
  auto* params = w->findChild<QDockWidget*>(QStringLiteral("params_dock"));
  ASSERT_NE(params, nullptr);
  EXPECT_FALSE(params->isVisible()) << "the hidden dock stays hidden";
  EXPECT_TRUE(w->findChild<QDockWidget*>(QStringLiteral("plots_dock"))->isVisible());
}

TEST(GuiDivergence, NanPausesTheRunAndSaysWhy) {
  // README: divergence (NaN/inf) pauses the run and says why. A state with
  // one NaN potential (the checkpoint's own arrays, as a corrupted file with
  // a valid checksum would hold) is run from the Run button.
  REQUIRE_DISPLAY();
  const Config cfg = small_layer();
  auto w = open_window(cfg, "01_01");
  run_steps(*w, 20);
  StateArchive a;
  ASSERT_TRUE(w->worker().call([&](Simulation& sim) { sim.save(a); }));
  int poisoned = 0;
  for (auto& [name, values] : a.f32) {
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".v") == 0 && !values.empty()) {
      values[3] = std::numeric_limits<float>::quiet_NaN();
      ++poisoned;
    }
  }
  ASSERT_EQ(poisoned, 1) << "one potential array in the archive";
  w->worker().replace_with([a, cfg] {
    auto sim = std::make_unique<Simulation>(cfg);
    sim->load(a);
    return sim;
  });
  ASSERT_TRUE(pump_until([&] { return w->snapshot().step == 20; }));
  w->run_action()->trigger();
  ASSERT_TRUE(pump_until([&] { return !w->run_action()->isChecked() && !w->worker().running(); }, 30000));
  const QString msg = w->statusBar()->currentMessage();
  EXPECT_TRUE(msg.contains(QStringLiteral("paused at step 21"))) << msg.toStdString();
  EXPECT_TRUE(msg.contains(QStringLiteral("NaN"))) << msg.toStdString();
  EXPECT_EQ(w->worker().step_count(), 21) << "paused after the first step that saw the NaN";
  EXPECT_EQ(w->run_action()->text(), QStringLiteral("Run"));
}

TEST(GuiCli, GroupsAndGroupColourFlagsChangeTheView) {
  REQUIRE_DISPLAY();
  auto shot = [](const std::string& name, const std::string& flags) {
    const fs::path png = temp_dir() / name;
    const std::string cmd = "DISPLAY=" + env().xvfb.display() + " XDG_CONFIG_HOME=" + temp_dir().string() + " " +
                            SPIKECUBE_GUI_BIN + " --preset groups-thin --steps 150 " + flags + " --screenshot " +
                            png.string() + " --quit 2>" + (temp_dir() / (name + ".txt")).string();
    EXPECT_EQ(run(cmd), 0) << read_text(temp_dir() / (name + ".txt"));
    return QImage(QString::fromStdString(png.string()));
  };
  const QImage plain = shot("groups_plain.png", "");
  const QImage outlined = shot("groups_outlined.png", "--groups");
  const QImage coloured = shot("groups_coloured.png", "--groups --group-colour");
  expect_coloured_voxels(plain);
  EXPECT_GT(differing_pixels(plain, outlined), 500) << "--groups draws no outlines";
  EXPECT_GT(differing_pixels(outlined, coloured), 500) << "--group-colour changes no colour";
}

// Pixels of exactly this colour in the rectangle r.
int count_colour(const QImage& img, const QColor& c, const QRect& r) {
  int n = 0;
  const QRgb want = c.rgb();
  for (int y = r.top(); y <= r.bottom(); ++y)
    for (int x = r.left(); x <= r.right(); ++x) n += img.pixel(x, y) == want ? 1 : 0;
  return n;
}

TEST(GuiCli, ScreenshotWindowHoldsThePlotsAndThe3DView) {
  REQUIRE_DISPLAY();
  const fs::path config_home = temp_dir() / "fresh_settings";  // no remembered window geometry
  const fs::path shot = temp_dir() / "window.png";
  const std::string cmd = "DISPLAY=" + env().xvfb.display() + " XDG_CONFIG_HOME=" + config_home.string() + " " +
                          SPIKECUBE_GUI_BIN + " --preset 01_01 --steps 400 --screenshot-window " + shot.string() +
                          " --quit 2>" + (temp_dir() / "cli_window.txt").string();
  ASSERT_EQ(run(cmd), 0) << read_text(temp_dir() / "cli_window.txt");
  const QImage img = QImage(QString::fromStdString(shot.string())).convertToFormat(QImage::Format_RGB32);
  ASSERT_FALSE(img.isNull());
  EXPECT_EQ(img.size(), QSize(1500, 920)) << "the window's size (app/gui/main.cpp)";
  // the plots dock (right): both lines are drawn
  const QRect right(img.width() * 2 / 3, 0, img.width() / 3, img.height());
  EXPECT_GT(count_colour(img, PlotsPanel::iou_color(), right), 100) << "no IoU line";
  EXPECT_GT(count_colour(img, PlotsPanel::fire_color(), right), 100) << "no firing-rate line";
  // the 3D view (centre): coloured voxels, not the blank a plain grab() gives
  const QImage centre = img.copy(QRect(420, 120, 640, 620));
  expect_coloured_voxels(centre);
}

}  // namespace
}  // namespace spikecube::ui
