#include "io/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/config.hpp"
#include "core/output_target.hpp"
#include "io/checkpoint_file.hpp"
#include "io/error_text.hpp"

namespace spikecube::io {
namespace {
using namespace detail;

std::string errno_text() { return std::strerror(errno); }

// strips the engine's "checkpoint: " prefix; the path already says what it is
std::string cause_of(const std::exception& e) {
  std::string s = e.what();
  if (s.rfind("checkpoint: ", 0) == 0) s.erase(0, 12);
  return s;
}

template <typename T>
void write_group(CheckpointWriter& w, const char* group, const std::map<std::string, std::vector<T>>& arrays,
                 hid_t file_type, hid_t mem_type) {
  Handle g = w.create_group(group);
  for (const auto& [name, values] : arrays) {
    Handle d = w.create_array(g.get(), group, name, file_type, values.size());
    w.write_range(d.get(), mem_type, 0, values.size(), values.data(), std::string(group) + "/" + name);
  }
}

}  // namespace

CheckpointError::CheckpointError(std::string path, std::string cause)
    : std::runtime_error(path + ": " + cause), path_(std::move(path)), cause_(std::move(cause)) {}

void write_archive(const std::string& path, const StateArchive& archive) {
  CheckpointWriter w(path);
  auto model = archive.text.find("model");
  auto step = archive.i64.find("sim.step");
  w.write_root(model != archive.text.end() ? model->second : std::string(),
               (step != archive.i64.end() && step->second.size() == 1) ? step->second[0] : -1);
  write_group(w, "f32", archive.f32, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  write_group(w, "f64", archive.f64, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  write_group(w, "i64", archive.i64, H5T_STD_I64LE, H5T_NATIVE_INT64);
  write_group(w, "u8", archive.u8, H5T_STD_U8LE, H5T_NATIVE_UINT8);
  Handle g = w.create_group("text");
  for (const auto& [name, value] : archive.text) w.write_text(g.get(), name, value);
  g.reset();
  w.commit();
}

StateArchive read_archive(const std::string& path) { return read_checkpoint(path, nullptr); }

void save_checkpoint(const std::string& path, const Simulation& sim) {
  StateArchive a;
  sim.save(a);
  write_archive(path, a);
}

namespace {
// Runs a load step and turns the engine's errors into a CheckpointError that
// names the file.
template <typename F>
auto naming_the_file(const std::string& path, F&& load) {
  try {
    return load();
  } catch (const StateError& e) {
    throw CheckpointError(path, cause_of(e));
  } catch (const ConfigError& e) {
    throw CheckpointError(path, std::string("its config is invalid: ") + e.what());
  } catch (const std::exception& e) {
    throw CheckpointError(path, std::string("cannot load: ") + e.what());
  }
}
}  // namespace

void load_checkpoint(const std::string& path, Simulation& sim) {
  const StateArchive a = read_archive(path);
  naming_the_file(path, [&] { sim.load(a); });  // load validates everything before it changes sim
}

std::unique_ptr<Simulation> open_checkpoint(const std::string& path) {
  const StateArchive a = read_archive(path);
  return naming_the_file(path, [&] {
    auto sim = std::make_unique<Simulation>(parse_config(a.get_text("config"), path));
    sim->load(a);
    return sim;
  });
}

void probe_writable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw CheckpointError(path, "is a directory; give a file name");
  std::string probe;
  try {
    probe = temp_path_for(path);  // refuses a device or FIFO at path
  } catch (const FileError& e) {
    throw CheckpointError(path, cause_after_path(e.what(), path));
  }
  const int fd = ::open(probe.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) throw CheckpointError(path, "cannot write (" + errno_text() + ")");
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace spikecube::io
