#include "app/cli/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "core/atomic_file.hpp"

namespace spikecube::cli {
namespace {

// the file sink alone, for errors that stderr already shows
std::shared_ptr<spdlog::logger>& file_only() {
  static std::shared_ptr<spdlog::logger> logger;
  return logger;
}

}  // namespace

const std::vector<std::string>& log_level_names() {
  static const std::vector<std::string> names{"trace", "debug", "info", "warn", "error", "critical", "off"};
  return names;
}

void setup_logging(const LogOptions& opt) {
  // from_str maps an unknown name to "off"; the CLI has checked the name
  // against log_level_names() already
  const auto level = spdlog::level::from_str(opt.level);
  auto err = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  err->set_pattern("spikecube-cli: [%l] %v");
  std::vector<spdlog::sink_ptr> sinks{err};
  if (!opt.file.empty()) {
    std::shared_ptr<spdlog::sinks::basic_file_sink_mt> file;
    try {
      file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(opt.file, /*truncate=*/false);
    } catch (const spdlog::spdlog_ex& e) {
      throw FileError("--log " + opt.file + ": cannot open for writing (" + e.what() + ")");
    }
    file->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
    sinks.push_back(file);
    file_only() = std::make_shared<spdlog::logger>("spikecube-cli-file", file);
    file_only()->set_level(spdlog::level::err);
    file_only()->flush_on(spdlog::level::err);
  }
  auto logger = std::make_shared<spdlog::logger>("spikecube-cli", sinks.begin(), sinks.end());
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);  // a handful of lines per run: keep the file current
  spdlog::set_default_logger(logger);
}

void log_error_to_file(const std::string& line) {
  if (file_only()) file_only()->error(line);
}

}  // namespace spikecube::cli
