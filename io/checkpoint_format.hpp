#pragma once
// The checkpoint file's own header (in the HDF5 user block) and its checksum.
// Internal to spikecube_io and its fuzz targets; callers use checkpoint.hpp.

#include <cstddef>
#include <cstdint>
#include <string>

namespace spikecube::io::format {

inline constexpr std::size_t kUserBlock = 512;  // HDF5 user block: our header lives here
inline constexpr char kMagic[16] = "SPIKECUBE-CKPT\n";
inline constexpr std::size_t kHeaderBytes = 40;  // magic 16, version 4, header size 4, file size 8, checksum 8

// little-endian field access, independent of the host's byte order
inline void put_le(unsigned char* p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline std::uint64_t get_le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

// a fast 64-bit checksum over 8-byte words; catches truncation, bit flips and
// overwritten blocks (it is not meant to resist deliberate forgery)
class Checksum {
 public:
  void add(const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      word_ |= static_cast<std::uint64_t>(p[i]) << (8 * fill_);
      if (++fill_ == 8) mix();
    }
    total_ += n;
  }
  std::uint64_t value() {
    if (fill_ > 0) mix();
    std::uint64_t h = h_ ^ total_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  }

 private:
  void mix() {
    h_ ^= word_ * 0x9e3779b97f4a7c15ULL;
    h_ = ((h_ << 31) | (h_ >> 33)) * 0x100000001b3ULL + 0x632be59bd9b4e019ULL;
    word_ = 0;
    fill_ = 0;
  }
  std::uint64_t h_ = 0x243f6a8885a308d3ULL, word_ = 0, total_ = 0;
  int fill_ = 0;
};

// Turns the bytes of an HDF5 file written with a 512-byte user block into a
// complete checkpoint file by filling in the header (used by the fuzz target
// that feeds arbitrary HDF5 content past the checksum).
inline std::string seal(std::string bytes, std::uint32_t version) {
  if (bytes.size() < kUserBlock) bytes.resize(kUserBlock, '\0');
  Checksum sum;
  sum.add(reinterpret_cast<const unsigned char*>(bytes.data()) + kUserBlock, bytes.size() - kUserBlock);
  auto* h = reinterpret_cast<unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < 16; ++i) h[i] = static_cast<unsigned char>(kMagic[i]);
  put_le(h + 16, version, 4);
  put_le(h + 20, kUserBlock, 4);
  put_le(h + 24, bytes.size(), 8);
  put_le(h + 32, sum.value(), 8);
  return bytes;
}

}  // namespace spikecube::io::format
