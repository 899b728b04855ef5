#include "core/state_fields.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

#include "core/readout.hpp"

namespace spikecube {
namespace {

template <typename T>
auto& archive_map(StateArchive& a) {
  if constexpr (std::is_same_v<T, float>) return a.f32;
  else if constexpr (std::is_same_v<T, double>) return a.f64;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return a.u8;
  else return a.i64;
}

template <typename T>
const std::vector<T>& archive_get(const StateArchive& a, const std::string& name, long long expected_size) {
  if constexpr (std::is_same_v<T, float>) return a.get_f32(name, expected_size);
  else if constexpr (std::is_same_v<T, double>) return a.get_f64(name, expected_size);
  else if constexpr (std::is_same_v<T, std::uint8_t>) return a.get_u8(name, expected_size);
  else return a.get_i64(name, expected_size);
}

template <typename Fn>
void each(const FieldList& fields, Fn fn) {
  FieldVisitorOf<Fn> v(std::move(fn));
  fields(v);
}

template <typename D>
using ElementOf = std::remove_cvref_t<decltype(*std::declval<D>().data())>;

}  // namespace

void save_fields(const FieldList& fields, StateArchive& out) {
  each(fields, [&](std::string_view name, auto&& data, FieldRole) {
    using T = ElementOf<decltype(data)>;
    archive_map<T>(out)[std::string(name)].assign(data.begin(), data.end());
  });
}

void check_fields(const FieldList& fields, const StateArchive& in) {
  each(fields, [&](std::string_view name, auto&& data, FieldRole) {
    using D = std::remove_cvref_t<decltype(data)>;
    using T = ElementOf<D>;
    // a vector field may have any length (its owner checks the content)
    const long long expected = std::is_same_v<D, std::vector<T>> ? -1 : static_cast<long long>(data.size());
    archive_get<T>(in, std::string(name), expected);
  });
}

void load_fields(const FieldList& fields, const StateArchive& in) {
  each(fields, [&](std::string_view name, auto&& data, FieldRole) {
    using D = std::remove_cvref_t<decltype(data)>;
    using T = ElementOf<D>;
    const auto& src = archive_get<T>(in, std::string(name), -1);
    if constexpr (std::is_same_v<D, std::vector<T>>) data = src;
    else std::copy(src.begin(), src.end(), data.begin());
  });
}

std::uint64_t hash_fields(const FieldList& fields, std::uint64_t h) {
  each(fields, [&](std::string_view, auto&& data, FieldRole) {
    h = hash_bytes(h, data.data(), data.size() * sizeof(data[0]));
  });
  return h;
}

std::size_t step_bytes(const FieldList& fields) {
  std::size_t b = 0;
  each(fields, [&](std::string_view, auto&& data, FieldRole role) {
    if (role == FieldRole::kStep) b += data.size() * sizeof(data[0]);
  });
  return b;
}

}  // namespace spikecube
