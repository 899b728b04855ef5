#include "core/png_frames.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>

#include "core/config.hpp"

// Only the PNG decoder, with internal linkage, reading from memory: the file
// is read by our own code (its errors are ours to word), and nothing else of
// stb is built.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#include <stb/stb_image.h>

namespace spikecube {
namespace fs = std::filesystem;
namespace {

struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

bool is_png_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png";
}

Frame decode(const fs::path& file, int n) {
  const std::string where = "stimulus.path: " + file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(where + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw ConfigError(where + ": file too large");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &channels)) {
    throw ConfigError(where + ": not a PNG image (" + std::string(stbi_failure_reason()) + ")");
  }
  if (w != n || h != n) {
    throw ConfigError(where + ": " + std::to_string(w) + " x " + std::to_string(h) + " pixels; expected " +
                      std::to_string(n) + " x " + std::to_string(n) + " (model.n)");
  }
  // grey + alpha: a transparent pixel is dark whatever its colour
  std::unique_ptr<unsigned char, StbFree> px(stbi_load_from_memory(data, len, &w, &h, &channels, 2));
  if (!px) throw ConfigError(where + ": cannot decode (" + std::string(stbi_failure_reason()) + ")");
  Frame f(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = px.get()[2 * i] >= 128 && px.get()[2 * i + 1] >= 128 ? 1 : 0;
  }
  return f;
}

}  // namespace

std::vector<Frame> load_png_frames(const std::string& folder, int n) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw ConfigError("stimulus.path: \"" + folder + "\" is not a folder of PNG frames");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && is_png_name(entry.path())) files.push_back(entry.path());
  }
  if (ec) throw ConfigError("stimulus.path: cannot list \"" + folder + "\": " + ec.message());
  if (files.empty()) throw ConfigError("stimulus.path: \"" + folder + "\" holds no .png frames");
  std::sort(files.begin(), files.end());
  std::vector<Frame> frames;
  frames.reserve(files.size());
  for (const auto& f : files) frames.push_back(decode(f, n));
  return frames;
}

}  // namespace spikecube
