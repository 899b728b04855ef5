#include "ui/script_options.hpp"

#include <set>
#include <stdexcept>

#include "core/config.hpp"
#include "core/flag_integer.hpp"

namespace spikecube::ui {
namespace {

std::int64_t parse_checked(const std::string& flag, const std::string& text, std::int64_t min, std::int64_t max) {
  try {
    return parse_flag_integer(flag, text, min, max);
  } catch (const ConfigError& e) {
    throw UsageError(e.what());
  }
}

// the range of the config key the flag sets, in the config's words
std::int64_t checked(const std::string& flag, const std::string& text, const char* key) {
  try {
    return parse_flag_for_key(flag, text, key);
  } catch (const ConfigError& e) {
    throw UsageError(e.what());
  }
}

SliceRequest parse_slice(const std::string& text) {
  // AXIS:K:PATH, the path may itself contain ':'
  const auto a = text.find(':');
  const auto b = a == std::string::npos ? a : text.find(':', a + 1);
  if (a == std::string::npos || b == std::string::npos || b + 1 >= text.size())
    throw UsageError("--slice-png: expected AXIS:INDEX:FILE.png (e.g. z:0:slice.png), got \"" + text + "\"");
  SliceRequest r;
  const std::string axis = text.substr(0, a);
  if (axis == "x") r.axis = 0;
  else if (axis == "y") r.axis = 1;
  else if (axis == "z") r.axis = 2;
  else throw UsageError("--slice-png: axis \"" + axis + "\" must be x, y or z");
  r.index = static_cast<int>(parse_checked("--slice-png", text.substr(a + 1, b - a - 1), 0, 1023));
  r.path = text.substr(b + 1);
  return r;
}

}  // namespace

void check_slice_in_lattice(const ScriptOptions& o, const Config& cfg) {
  if (!o.slice) return;
  static const char* axes[] = {"x", "y", "z"};
  const int extent = o.slice->axis == 2 ? (cfg.model == "layer" ? 1 : cfg.depth) : cfg.n;
  if (o.slice->index >= extent) {
    throw UsageError("--slice-png: " + std::string(axes[o.slice->axis]) + " = " + std::to_string(o.slice->index) +
                     " is outside the lattice; expected an integer in [0, " + std::to_string(extent - 1) + "]");
  }
}

std::string usage_text() {
  return "usage: spikecube [--preset P] [--config F] [--steps N] [--seed S] [--speed R] [--screenshot out.png]\n"
         "                 [--screenshot-window out.png] [--slice-png AXIS:K:out.png] [--groups] [--group-colour]\n"
         "                 [--quit]\n"
         "  --preset P        start from preset P (see spikecube-cli presets); default: the last one used, else 01_01\n"
         "  --config F        TOML config applied on top of the preset\n"
         "  --steps N         run N steps (at full speed unless --speed), then save the requested images\n"
         "  --seed S          random seed\n"
         "  --speed R         run at R steps per second, 0 = as fast as possible (scripted runs: default 0;\n"
         "                    interactive: default the model's watchable pace, or the speed last chosen)\n"
         "  --screenshot F    save the 3D view (with legend) as PNG after the run\n"
         "  --screenshot-window F  save the whole window (panels, plots and the 3D view) as PNG after the run\n"
         "  --slice-png A:K:F save the plane A = K (A = x, y or z) as PNG, and its values as F with .csv\n"
         "  --groups          groups model: outline the groups that hold shown neurons in the 3D view\n"
         "  --group-colour    groups model: colour each neuron by its group's mean v/theta\n"
         "  --quit            exit when done (status 0, 1 if an image could not be saved)\n";
}

ScriptOptions parse_script_options(const std::vector<std::string>& args) {
  // Qt options that QApplication consumes itself
  static const std::set<std::string> qt_with_value = {"-platform",        "-display",      "-style",  "-geometry",
                                                      "-qwindowgeometry", "-qwindowtitle", "-plugin", "-stylesheet",
                                                      "-platformtheme",   "-qwindowicon"};
  static const std::set<std::string> qt_flags = {"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync"};
  ScriptOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (flag.starts_with("--")) {
      if (const auto eq = flag.find('='); eq != std::string::npos) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        has_value = true;
      }
    } else if (qt_with_value.count(flag)) {
      ++i;
      continue;
    } else if (qt_flags.count(flag)) {
      continue;
    } else {
      throw UsageError("unexpected argument \"" + flag + "\"; see spikecube --help");
    }
    auto need = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= args.size()) throw UsageError(flag + ": missing value");
      return args[++i];
    };
    if (flag == "--preset") o.preset = need();
    else if (flag == "--config") o.config_path = need();
    else if (flag == "--steps") o.steps = checked(flag, need(), "run.steps");
    else if (flag == "--seed") o.seed = static_cast<std::uint64_t>(checked(flag, need(), "run.seed"));
    else if (flag == "--speed") {
      const std::string v = need();
      try {
        std::size_t used = 0;
        o.speed = std::stod(v, &used);
        if (used != v.size() || !(*o.speed >= 0)) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw UsageError("--speed: \"" + v + "\" is not a rate in steps per second (>= 0, 0 = max)");
      }
    } else if (flag == "--screenshot") o.screenshot = need();
    else if (flag == "--screenshot-window") o.screenshot_window = need();
    else if (flag == "--slice-png") o.slice = parse_slice(need());
    else if (flag == "--groups" && !has_value) o.group_lines = true;
    else if (flag == "--group-colour" && !has_value) o.group_colour = true;
    else if (flag == "--quit" && !has_value) o.quit = true;
    else if (flag == "--help" && !has_value) o.help = true;
    else if (flag == "--version" && !has_value) o.version = true;
    else throw UsageError("unknown option " + flag + "; see spikecube --help");
    if ((flag == "--screenshot" && o.screenshot.empty()) ||
        (flag == "--screenshot-window" && o.screenshot_window.empty()))
      throw UsageError(flag + ": empty file name");
  }
  return o;
}

}  // namespace spikecube::ui
