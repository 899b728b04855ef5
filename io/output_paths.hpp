#pragma once
// Checks on the set of files one run will write, before it starts:
// - two outputs naming the same file (also through a symlink or another
//   spelling of the path), or an output naming the file --resume reads, are
//   refused: one would silently replace the other. Writing the checkpoint
//   over the one the run resumed from is allowed (it was read completely).
// - an output that is a device, FIFO or folder is refused (a symlink is
//   followed and its target written).
// - temporary files of these outputs left by a killed run ("NAME.tmp.PID.N",
//   PID no longer running) are removed.

#include <string>
#include <vector>

namespace spikecube::io {

struct NamedPath {
  std::string option;  // how the user gave it, e.g. "--record" or "--out (metrics.csv)"
  std::string path;
};

// Throws FileError naming both options when two outputs, or an output and
// the resumed checkpoint, are the same file; or when an output is not a
// regular file. `allowed_same` pairs an output option with --resume that
// may share a file ("--checkpoint").
void check_output_paths(const std::vector<NamedPath>& outputs, const std::string& resume_path,
                        const std::string& allowed_same);

// Removes stale temporary files of these outputs (and of the numbered and
// fault variants of a checkpoint path, stem_NNNNNN.ext and stem_fault.ext)
// whose writer process is gone. Returns one line per removed file.
std::vector<std::string> remove_stale_temp_files(const std::vector<std::string>& outputs);

}  // namespace spikecube::io
