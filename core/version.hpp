#pragma once
namespace spikecube {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace spikecube
