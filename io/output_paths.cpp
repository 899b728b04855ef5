#include "io/output_paths.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/output_target.hpp"

namespace spikecube::io {
namespace fs = std::filesystem;
namespace {

// What makes two paths the same file: device and inode when it exists, else
// the canonical folder and the name it would be created as.
struct Identity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string where;
  bool operator==(const Identity& o) const {
    return exists == o.exists && (exists ? dev == o.dev && ino == o.ino : where == o.where);
  }
};

Identity identity_of(const std::string& path) {
  Identity id;
  const std::string target = resolve_output_target(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    return id;
  }
  std::error_code ec;
  const fs::path p(target);
  fs::path dir = fs::weakly_canonical(p.has_parent_path() ? p.parent_path() : fs::path("."), ec);
  id.where = (ec ? p.parent_path() : dir).string() + "/" + p.filename().string();
  return id;
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "NAME.tmp.PID.N" -> PID when NAME is `base` or one of its variants
std::optional<pid_t> temp_owner(const std::string& name, const std::string& base) {
  const auto marker = name.rfind(kTempMarker);
  if (marker == std::string::npos) return std::nullopt;
  const std::string owner = name.substr(0, marker);
  const std::string tail = name.substr(marker + std::string(kTempMarker).size());
  const auto dot = tail.find('.');
  if (dot == std::string::npos || !all_digits(tail.substr(0, dot)) || !all_digits(tail.substr(dot + 1)))
    return std::nullopt;
  bool ours = owner == base;
  if (!ours) {
    // stem_000500.ext (--checkpoint-every) and stem_fault.ext
    const fs::path b(base);
    const std::string stem = b.stem().string(), ext = b.extension().string();
    if (owner.size() > stem.size() + ext.size() + 1 && owner.rfind(stem + "_", 0) == 0 &&
        owner.compare(owner.size() - ext.size(), ext.size(), ext) == 0) {
      const std::string mid = owner.substr(stem.size() + 1, owner.size() - stem.size() - 1 - ext.size());
      ours = all_digits(mid) || mid == "fault";
    }
  }
  if (!ours || tail.substr(0, dot).size() > 9) return std::nullopt;
  return static_cast<pid_t>(std::stol(tail.substr(0, dot)));
}

bool process_gone(pid_t pid) { return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

void check_output_paths(const std::vector<NamedPath>& outputs, const std::string& resume_path,
                        const std::string& allowed_same) {
  std::vector<Identity> ids;
  for (const auto& o : outputs) ids.push_back(identity_of(o.path));  // throws for devices, FIFOs, folders
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (ids[i] == ids[j]) {
        throw FileError(outputs[i].path + ": " + outputs[j].option + " and " + outputs[i].option +
                        " name the same file; give each output its own path");
      }
    }
  }
  if (resume_path.empty()) return;
  struct stat st {};
  if (::stat(resume_path.c_str(), &st) != 0) return;  // the checkpoint loader reports it
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].option == allowed_same) continue;
    if (ids[i].exists && ids[i].dev == st.st_dev && ids[i].ino == st.st_ino) {
      throw FileError(outputs[i].path + ": " + outputs[i].option +
                      " names the checkpoint given to --resume; writing it would replace that checkpoint");
    }
  }
}

std::vector<std::string> remove_stale_temp_files(const std::vector<std::string>& outputs) {
  std::vector<std::string> removed;
  for (const auto& out : outputs) {
    std::string target;
    try {
      target = resolve_output_target(out);
    } catch (const FileError&) {
      continue;
    }
    const fs::path t(target);
    const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const auto pid = temp_owner(name, t.filename().string());
      if (!pid || !process_gone(*pid)) continue;
      std::error_code rm;
      if (it->is_regular_file(rm) && fs::remove(it->path(), rm)) {
        const std::string shown = t.has_parent_path() ? it->path().string() : name;
        removed.push_back("removed stale temporary file " + shown + " (its writer, process " + std::to_string(*pid) +
                          ", is gone)");
      }
    }
  }
  return removed;
}

}  // namespace spikecube::io
