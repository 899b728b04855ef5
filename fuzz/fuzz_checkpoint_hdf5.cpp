// libFuzzer target: arbitrary HDF5 content behind a valid spikecube header.
// The header's checksum keeps corrupted files away from the HDF5 parser; this
// target seals every input with a correct checksum so the fuzzer reaches
// HDF5 itself and our reading of its groups, types and sizes. Crashes inside
// libhdf5 are reported here too (they need a deliberately crafted file).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "io/checkpoint.hpp"
#include "io/checkpoint_format.hpp"

namespace {
const std::string& scratch() {
  static const std::string path = "/tmp/spikecube_fuzz_hdf5_" + std::to_string(::getpid()) + ".h5";
  return path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fmt = spikecube::io::format;
  // the input is the file from byte 512 on (the HDF5 superblock onwards)
  std::string bytes(fmt::kUserBlock, '\0');
  bytes.append(reinterpret_cast<const char*>(data), size);
  bytes = fmt::seal(std::move(bytes), spikecube::io::kCheckpointVersion);
  std::FILE* f = std::fopen(scratch().c_str(), "wb");
  if (!f) return 0;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  try {
    auto sim = spikecube::io::open_checkpoint(scratch());
    sim->step();
  } catch (const spikecube::io::CheckpointError&) {}
  return 0;
}
