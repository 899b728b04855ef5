// stimulus.kind = "sequence" from a folder of PNG frames: the frames are
// written here with stb_image_write (an encoder independent of the decoder
// under test), in grey, grey+alpha and RGB, and read back pixel for pixel.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/png_frames.hpp"
#include "core/stimulus.hpp"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace spikecube {
namespace {
namespace fs = std::filesystem;

class PngFrames : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("png_frames_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, int w, int h, int comp, const std::vector<unsigned char>& px) {
    ASSERT_NE(stbi_write_png((dir_ / name).c_str(), w, h, comp, px.data(), w * comp), 0);
  }
  fs::path dir_;
};

TEST_F(PngFrames, ReadsFramesInNameOrderWithTheHalfScaleThreshold) {
  constexpr int n = 4;
  // frame a: grey; 128 is lit, 127 is not
  std::vector<unsigned char> grey(n * n, 0);
  grey[0] = 255;
  grey[5] = 128;
  grey[6] = 127;
  write("frame_a.png", n, n, 1, grey);
  // frame b: grey + alpha; a white pixel with alpha 0 is dark
  std::vector<unsigned char> ga(n * n * 2, 0);
  ga[2 * 3] = 255;
  ga[2 * 3 + 1] = 255;  // lit
  ga[2 * 9] = 255;
  ga[2 * 9 + 1] = 0;  // transparent: dark
  write("frame_b.png", n, n, 2, ga);
  // frame c: RGB white at (x 3, y 3)
  std::vector<unsigned char> rgb(n * n * 3, 0);
  for (int c = 0; c < 3; ++c) rgb[15 * 3 + c] = 255;
  write("frame_c.png", n, n, 3, rgb);
  std::ofstream(dir_ / "notes.txt") << "not a frame";

  const auto frames = load_png_frames(dir_.string(), n);
  ASSERT_EQ(frames.size(), 3u);
  Frame a(n * n, 0), b(n * n, 0), c(n * n, 0);
  a[0] = a[5] = 1;
  b[3] = 1;
  c[15] = 1;
  EXPECT_EQ(frames[0], a);
  EXPECT_EQ(frames[1], b);
  EXPECT_EQ(frames[2], c);
  EXPECT_EQ(load_frame_sequence(dir_.string(), n), frames) << "a folder path reads PNG frames";
}

TEST_F(PngFrames, SequenceStimulusShowsThePngFramesInOrderAndWraps) {
  constexpr int n = 5;
  for (int k = 0; k < 3; ++k) {
    std::vector<unsigned char> px(n * n, 0);
    px[static_cast<std::size_t>(k * 6)] = 255;  // the diagonal pixel k
    write(std::string("f").append(std::to_string(k)).append(".png"), n, n, 1, px);
  }
  Config cfg = load_preset("cube-4");
  cfg.n = n;
  cfg.stimulus = "sequence";
  cfg.sequence_path = dir_.string();
  auto stim = make_stimulus(cfg);
  Frame f;
  for (int t = 0; t < 4; ++t) {
    stim->draw(f);
    const int k = t % 3;
    ASSERT_EQ(f.size(), static_cast<std::size_t>(n * n));
    for (int i = 0; i < n * n; ++i)
      EXPECT_EQ(f[static_cast<std::size_t>(i)], i == k * 6 ? 1 : 0) << "t " << t << " i " << i;
    stim->advance();
  }
}

TEST_F(PngFrames, BadFramesAreOneLineErrorsNamingTheFile) {
  write("big.png", 6, 5, 1, std::vector<unsigned char>(30, 0));
  try {
    (void)load_png_frames(dir_.string(), 5);
    FAIL() << "a 6 x 5 frame must be refused for n = 5";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("big.png: 6 x 5 pixels; expected 5 x 5 (model.n)"), std::string::npos) << m;
  }
  fs::remove(dir_ / "big.png");
  std::ofstream(dir_ / "broken.png") << "this is not a PNG";
  try {
    (void)load_png_frames(dir_.string(), 5);
    FAIL() << "garbage must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.png: not a PNG image"), std::string::npos) << e.what();
  }
  fs::remove(dir_ / "broken.png");
  EXPECT_THROW((void)load_png_frames(dir_.string(), 5), ConfigError) << "no frames";
  EXPECT_THROW((void)load_png_frames((dir_ / "missing").string(), 5), ConfigError);
}

}  // namespace
}  // namespace spikecube
