// libFuzzer target: the checkpoint loader on arbitrary file contents. Every
// input must be refused with CheckpointError or load completely; no crash,
// no other exception, no sanitizer report.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "io/checkpoint.hpp"

namespace {
const std::string& scratch() {
  static const std::string path = "/tmp/spikecube_fuzz_ckpt_" + std::to_string(::getpid()) + ".h5";
  return path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratch().c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    auto sim = spikecube::io::open_checkpoint(scratch());
    sim->step();  // a loaded state must be usable
  } catch (const spikecube::io::CheckpointError&) {}
  return 0;
}
