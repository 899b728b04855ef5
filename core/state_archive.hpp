#pragma once
// A model-neutral bag of named arrays: what a model saves for a checkpoint and
// reads back on resume. The engine fills and reads it; io/ turns it into an
// HDF5 file. Keeping the file format outside core/ keeps core free of
// dependencies beyond Eigen.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace spikecube {

// Raised when a checkpoint cannot be used: missing array, wrong size, another
// model. The message is one line naming the array or field.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StateArchive {
  std::map<std::string, std::vector<float>> f32;
  std::map<std::string, std::vector<double>> f64;
  std::map<std::string, std::vector<std::int64_t>> i64;
  std::map<std::string, std::vector<std::uint8_t>> u8;
  std::map<std::string, std::string> text;

  bool operator==(const StateArchive&) const = default;

  // Getters check presence and, when expected_size >= 0, the length.
  const std::vector<float>& get_f32(const std::string& name, long long expected_size = -1) const {
    return get(f32, name, expected_size);
  }
  const std::vector<double>& get_f64(const std::string& name, long long expected_size = -1) const {
    return get(f64, name, expected_size);
  }
  const std::vector<std::int64_t>& get_i64(const std::string& name, long long expected_size = -1) const {
    return get(i64, name, expected_size);
  }
  const std::vector<std::uint8_t>& get_u8(const std::string& name, long long expected_size = -1) const {
    return get(u8, name, expected_size);
  }
  const std::string& get_text(const std::string& name) const {
    auto it = text.find(name);
    if (it == text.end()) throw StateError("checkpoint: missing field '" + name + "'");
    return it->second;
  }

 private:
  template <typename T>
  static const std::vector<T>& get(const std::map<std::string, std::vector<T>>& m, const std::string& name,
                                   long long expected_size) {
    auto it = m.find(name);
    if (it == m.end()) throw StateError("checkpoint: missing array '" + name + "'");
    if (expected_size >= 0 && static_cast<long long>(it->second.size()) != expected_size) {
      throw StateError("checkpoint: array '" + name + "' has " + std::to_string(it->second.size()) +
                       " elements, expected " + std::to_string(expected_size));
    }
    return it->second;
  }
};

}  // namespace spikecube
