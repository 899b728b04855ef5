// spikecube: the desktop app. See ui/script_options.hpp for the command line.
#include <QApplication>
#include <QSettings>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/version.hpp"
#include "ui/main_window.hpp"
#include "ui/script_options.hpp"
#include "ui/script_runner.hpp"

int main(int argc, char** argv) {
  using namespace spikecube;
  // parse before QApplication exists: a bad flag must not need a display
  ui::ScriptOptions opts;
  try {
    opts = ui::parse_script_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const ui::UsageError& e) {
    std::fprintf(stderr, "spikecube: %s\n", e.what());
    return 2;
  }
  if (opts.help) {
    std::fputs(ui::usage_text().c_str(), stdout);
    return 0;
  }
  if (opts.version) {
    std::printf("spikecube %s\n", kVersion);
    return 0;
  }

  // Qt3D picks its renderer from the environment when the aspect starts; the
  // OpenGL one is the one that works with GLSL 330 files and llvmpipe
  qputenv("QT3D_RENDERER", "opengl");
  // with software GL (llvmpipe) one raster thread leaves a core to the
  // simulation thread; set LP_NUM_THREADS yourself to override
  if (qEnvironmentVariableIsEmpty("LP_NUM_THREADS")) qputenv("LP_NUM_THREADS", "1");
  QApplication::setOrganizationName(QStringLiteral("spikecube"));
  QApplication::setApplicationName(QStringLiteral("spikecube"));

  // resolve the config before the window exists, so errors exit with 2
  std::string preset = opts.preset;
  Config cfg;
  try {
    if (preset.empty()) {
      const QSettings settings;
      preset = settings.value(QStringLiteral("last_preset"), QStringLiteral("01_01")).toString().toStdString();
      bool known = false;
      for (const auto& p : preset_names()) known = known || p == preset;
      if (!known) preset = "01_01";
    }
    cfg = load_preset(preset);
    if (!opts.config_path.empty()) {
      cfg = load_config_file(opts.config_path, cfg);
      if (opts.preset.empty()) preset.clear();  // a file alone is a custom config
    }
    if (opts.seed) cfg.seed = *opts.seed;
    validate(cfg);
    ui::check_slice_in_lattice(opts, cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spikecube: %s\n", e.what());
    return 2;
  }

  QApplication app(argc, argv);
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/spikecube.png")));
  try {
    ui::MainWindow window(cfg, QString::fromStdString(preset));
    window.resize(1500, 920);
    window.show();
    int script_code = 0;
    std::unique_ptr<ui::ScriptRunner> script;
    if (opts.scripted()) {
      script = std::make_unique<ui::ScriptRunner>(window, opts);
      QObject::connect(script.get(), &ui::ScriptRunner::finished, &app, [&](int code) {
        script_code = code;
        if (opts.quit) app.exit(code);
      });
      script->start();
    } else if (opts.speed) {
      window.set_speed(*opts.speed);
    }
    const int rc = app.exec();
    return opts.quit ? script_code : rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spikecube: %s\n", e.what());
    return 2;
  }
}
