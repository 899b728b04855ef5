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
#include <QElapsedTimer>
#include <QImage>
#include <QSettings>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "core/config.hpp"
#include "core/input_mode.hpp"
#include "core/simulation.hpp"
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

fs::path temp_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("spikecube_gui_test_" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
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
    setenv("XDG_CONFIG_HOME", temp_dir().c_str(), 1);  // QSettings stay out of $HOME
    static int argc = 1;
    static char name[] = "test_gui";
    static char* argv[] = {name, nullptr};
    app = std::make_unique<QApplication>(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("spikecube-test"));
    QApplication::setApplicationName(QStringLiteral("spikecube-test"));
  }
  ~GuiEnv() { app.reset(); }
};

GuiEnv& env() {
  static GuiEnv e;
  return e;
}

#define REQUIRE_DISPLAY()                                                           \
  do {                                                                              \
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
  pump_for(800);  // let the renderer draw the last snapshot
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

std::unique_ptr<MainWindow> open_window(const std::string& preset) {
  auto w = std::make_unique<MainWindow>(load_preset(preset), QString::fromStdString(preset));
  w->resize(1300, 850);
  w->show();
  pump_until([&] { return w->snapshot().seq > 0; });
  return w;
}

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

TEST(Gui, TransparentSlabAndPointModesStillDrawVoxels) {
  REQUIRE_DISPLAY();
  auto w = open_window("cube-4");
  w->view_controls()->set_active_only(false);
  run_steps(*w, 200);
  w->voxel_view()->set_transparent(true);
  w->view_controls()->set_slab(2, 0, 1);  // z in [0, 1] only
  const int slab_voxels = w->voxel_view()->visible_voxels();
  const QImage transparent = screenshot(*w, "transparent.png");
  EXPECT_GT(analyse(transparent).pixels, 3000);
  w->voxel_view()->set_transparent(false);
  w->view_controls()->set_point_mode(true);
  const QImage points = screenshot(*w, "points.png");
  EXPECT_GT(analyse(points).pixels, 3000);
  EXPECT_GE(slab_voxels, 48 * 48 * 2);  // two layers, plus the input and prediction pixels
  EXPECT_LT(slab_voxels, 48 * 48 * 2 + 50);
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
  // a file that is not a checkpoint: an error message, the run is unchanged
  EXPECT_NE(w->save_checkpoint_to(QString::fromStdString((temp_dir() / "no_such_dir" / "x.h5").string())), QString());
}

// --- the executable ---------------------------------------------------------

int run(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The scripted summary line prints only what was measured: with no steps
// run there is no rate at all, never a "steps_per_s 0".
TEST(GuiCli, ScriptedSummaryWithoutStepsPrintsNoRates) {
  REQUIRE_DISPLAY();
  const fs::path shot = temp_dir() / "no_steps.png", err = temp_dir() / "no_steps.txt";
  const std::string cmd = "DISPLAY=" + env().xvfb.display() + " XDG_CONFIG_HOME=" + temp_dir().string() + " " +
                          SPIKECUBE_GUI_BIN + " --preset 01_01 --screenshot " + shot.string() + " --quit 2>" + err.string();
  ASSERT_EQ(run(cmd), 0) << read_text(err);
  const std::string text = read_text(err);
  const auto at = text.find("spikecube: step 0, IoU100");
  ASSERT_NE(at, std::string::npos) << text;
  const std::string line = text.substr(at, text.find('\n', at) - at);
  EXPECT_EQ(line.find("steps_per_s"), std::string::npos) << line;
  EXPECT_NE(line.find("frames_per_s"), std::string::npos) << line;
  EXPECT_NE(line.find("visible voxels"), std::string::npos) << line;
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
  // the slice's values: 48 rows of 48 numbers
  std::istringstream csv(read_text(temp_dir() / "cli_slice.csv"));
  std::string line;
  int rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 47);
  }
  EXPECT_EQ(rows, 48);
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
