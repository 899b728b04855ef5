#pragma once
// State registered once. A model lists each of its state arrays exactly once,
// by calling a FieldVisitor on it (name, array, role); checkpoint save and
// load, state_hash() and state_bytes() are all generated from that one list
// (the functions below), so a new array is saved, loaded, hashed and counted
// as soon as it is listed, and nowhere else can forget it.
//
// The names are the checkpoint's array names ("cube.v", ...): renaming one
// breaks old checkpoints.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/state_archive.hpp"

namespace spikecube {

enum class FieldRole : std::uint8_t {
  kStep,   // touched by every neural step: counted by state_bytes()
  kFrame,  // small per-frame bookkeeping (output frame, counters, input history)
};

// Receives each registered array. Fixed-size arrays come as spans (a
// checkpoint must hold exactly that many elements); the one array whose
// length varies (an input history) comes as a vector the loader resizes.
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void field(std::string_view name, std::span<float> data, FieldRole role) = 0;
  virtual void field(std::string_view name, std::span<double> data, FieldRole role) = 0;
  virtual void field(std::string_view name, std::span<std::uint8_t> data, FieldRole role) = 0;
  virtual void field(std::string_view name, std::span<std::int64_t> data, FieldRole role) = 0;
  virtual void field(std::string_view name, std::vector<std::int64_t>& data, FieldRole role) = 0;
};

// Calls fn(name, data, role) for every field of the list, whatever its type
// (data is a span, or the vector of a variable-length field).
template <typename Fn>
class FieldVisitorOf final : public FieldVisitor {
 public:
  explicit FieldVisitorOf(Fn fn) : fn_(std::move(fn)) {}
  void field(std::string_view name, std::span<float> data, FieldRole role) override { fn_(name, data, role); }
  void field(std::string_view name, std::span<double> data, FieldRole role) override { fn_(name, data, role); }
  void field(std::string_view name, std::span<std::uint8_t> data, FieldRole role) override { fn_(name, data, role); }
  void field(std::string_view name, std::span<std::int64_t> data, FieldRole role) override { fn_(name, data, role); }
  void field(std::string_view name, std::vector<std::int64_t>& data, FieldRole role) override { fn_(name, data, role); }

 private:
  Fn fn_;
};

// A model's field list: calls the visitor once per registered array, in a
// fixed order (the order of the hash).
using FieldList = std::function<void(FieldVisitor&)>;

// Copies every field into the archive under its name.
void save_fields(const FieldList& fields, StateArchive& out);
// Throws StateError (naming the array) unless the archive holds every field
// with the right length; changes nothing.
void check_fields(const FieldList& fields, const StateArchive& in);
// Copies every field from the archive; call check_fields first.
void load_fields(const FieldList& fields, const StateArchive& in);
// Mixes the bytes of every field, in list order, into h.
std::uint64_t hash_fields(const FieldList& fields, std::uint64_t h);
// Bytes of the fields with role kStep.
std::size_t step_bytes(const FieldList& fields);

}  // namespace spikecube
