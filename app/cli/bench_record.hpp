#pragma once
// `spikecube-cli bench --json FILE`: one JSON object per bench run, appended
// as one line to FILE (JSON Lines), naming the machine, the build and the
// figures, so that figures from different CPUs are never compared blindly
// (README: Performance).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace spikecube::cli {

// A JSON object whose members keep the order they were added in; values are
// stored already encoded.
class JsonObject {
 public:
  JsonObject& add(const std::string& key, double value);
  JsonObject& add(const std::string& key, std::int64_t value);
  JsonObject& add(const std::string& key, int value) { return add(key, static_cast<std::int64_t>(value)); }
  JsonObject& add(const std::string& key, bool value);
  JsonObject& add(const std::string& key, const std::string& value);
  JsonObject& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  JsonObject& add(const std::string& key, const JsonObject& value);
  JsonObject& add(const std::string& key, const std::vector<JsonObject>& values);
  JsonObject& add(const std::string& key, const std::vector<std::string>& values);
  std::string text() const;  // one line, no trailing newline
  bool empty() const { return members_.empty(); }

 private:
  JsonObject& add_raw(const std::string& key, std::string encoded);
  std::vector<std::pair<std::string, std::string>> members_;
};

std::string json_string(const std::string& s);  // quoted and escaped

// The CPU, caches and memory this process runs on, as Linux reports them;
// fields Linux does not show stay empty (or 0).
struct MachineInfo {
  std::string cpu_model;          // "model name" of /proc/cpuinfo
  std::string vendor;             // "vendor_id"
  int logical_cores = 0;          // processors in /proc/cpuinfo
  std::string l1d, l2, l3;        // sizes of cpu0's caches as sysfs writes them ("32K")
  bool avx512 = false;            // avx512f in the flags
  std::int64_t memory_bytes = 0;  // MemTotal
  std::string load_average;       // /proc/loadavg's first three fields when the record is made
};
MachineInfo read_machine_info();
JsonObject to_json(const MachineInfo& m);

// The build this binary came from (baked in when CMake configured it).
JsonObject build_info();

struct RecordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The record file, opened for appending before the bench runs so that a bad
// path is reported at once rather than after minutes of benchmarking.
class BenchRecordFile {
 public:
  explicit BenchRecordFile(const std::string& path);  // throws RecordError
  ~BenchRecordFile();
  BenchRecordFile(const BenchRecordFile&) = delete;
  BenchRecordFile& operator=(const BenchRecordFile&) = delete;
  // Appends `record` and a newline with one write() on an O_APPEND
  // descriptor: other writers' lines stay whole, and a failure leaves the
  // lines already there as they were. Throws RecordError.
  void append(const JsonObject& record);

 private:
  std::string path_;
  int fd_ = -1;
};

// The full record of one bench run: date, machine, build, command line,
// options and the figures.
JsonObject bench_record(const std::vector<std::string>& command_line, const JsonObject& options,
                        const JsonObject& figures);

}  // namespace spikecube::cli
