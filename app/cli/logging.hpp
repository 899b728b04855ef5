#pragma once
// The CLI's log: run start with the resolved config, warnings, checkpoint
// writes, run end. Never written per step. It goes to stderr at --log-level
// (default warn, so a normal run adds nothing to what scripts read) and, with
// --log FILE, to that file (appended, with timestamps) at the same level.
// Errors keep their one line on stderr (see run_command.cpp) and are copied
// into the log file.

#include <string>
#include <vector>

namespace spikecube::cli {

// The names --log-level accepts, quietest last.
const std::vector<std::string>& log_level_names();

struct LogOptions {
  std::string level = "warn";
  std::string file;  // empty: stderr only
};

// Installs the default spdlog logger. Throws FileError when FILE cannot be
// opened for appending.
void setup_logging(const LogOptions& opt);

// Copies an error line into the log file (if one was given); stderr already
// has it.
void log_error_to_file(const std::string& line);

}  // namespace spikecube::cli
