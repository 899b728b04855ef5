#pragma once
// Where an output really goes. A run writes through a symlink to the file it
// points at (the link stays a link) and never replaces something that is not
// a regular file: a device, a FIFO or a folder at an output path is refused.

#include <string>

namespace spikecube {

// Follows symlinks (also dangling ones: the target is created) and returns
// the path that will be replaced. Throws FileError naming `path` when the
// target exists and is not a regular file, or when the links loop.
std::string resolve_output_target(const std::string& path);

// One line for a failed write to `file`: "no space left on device" when the
// error or the file system says so, else the system's text for `err` (0: a
// generic "write failed"). `file` may be a temporary file beside the output.
std::string write_failure_cause(const std::string& file, int err);

}  // namespace spikecube
