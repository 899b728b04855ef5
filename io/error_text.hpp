#pragma once
// io's errors read "PATH: cause" (CheckpointError, RecordingError, and
// core's FileError). Wrapping one error in another, or agreeing on one
// across ranks, must not name the path twice. Internal to spikecube_io.

#include <string>

namespace spikecube::io::detail {

// what without its leading "PATH: ", or what as it is when it does not start so.
inline std::string cause_after_path(const std::string& what, const std::string& path) {
  return what.rfind(path + ": ", 0) == 0 ? what.substr(path.size() + 2) : what;
}

}  // namespace spikecube::io::detail
