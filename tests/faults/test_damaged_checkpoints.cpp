// Truncated and bit-flipped checkpoints at many offsets: every one is
// refused with a CheckpointError (never a crash, never a half-loaded state),
// and a damaged size field in the header is called that, not "truncated".
#include <random>

#include <gtest/gtest.h>

#include "io/checkpoint.hpp"
#include "io/checkpoint_format.hpp"
#include "tests/faults/fault_util.hpp"

namespace spikecube::faults {
namespace {

class DamagedCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = testio::run_cli(
        {"run", "--preset", "01_01", "--set", "model.n=8", "--steps", "40", "--quiet", "--checkpoint", good_});
    ASSERT_EQ(r.rc, 0) << r.err;
    bytes_ = testio::read_text(good_);
    ASSERT_GT(bytes_.size(), io::format::kUserBlock + 1000);
  }
  // the error reading `content`, or "" when it loaded
  std::string load_error(const std::string& content) {
    testio::write_text(bad_, content);
    try {
      io::open_checkpoint(bad_);
    } catch (const io::CheckpointError& e) {
      return e.what();
    }
    return {};
  }
  ScratchDir dir_;
  std::string good_ = dir_ / "good.h5", bad_ = dir_ / "bad.h5";
  std::string bytes_;
};

TEST_F(DamagedCheckpoint, EveryTruncationIsRefused) {
  std::vector<std::size_t> cuts{0, 1, 8, 15, 16, 20, 24, 32, 39, 40, 41, 100, 511, 512, 513, 1024};
  const std::size_t n = bytes_.size();
  for (std::size_t k = 1; k < 40; ++k) cuts.push_back(n * k / 40);
  cuts.push_back(n - 8);
  cuts.push_back(n - 1);
  for (std::size_t cut : cuts) {
    const std::string err = load_error(bytes_.substr(0, cut));
    EXPECT_FALSE(err.empty()) << "cut at " << cut;
    if (cut >= io::format::kHeaderBytes) {
      EXPECT_TRUE(contains(err, "truncated")) << "cut at " << cut << ": " << err;
    }
  }
}

TEST_F(DamagedCheckpoint, EveryBitFlipInTheHeaderFieldsOrTheBodyIsRefused) {
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < io::format::kHeaderBytes; ++i) offsets.push_back(i);
  std::mt19937 rng(16);
  std::uniform_int_distribution<std::size_t> body(io::format::kUserBlock, bytes_.size() - 1);
  for (int k = 0; k < 200; ++k) offsets.push_back(body(rng));
  for (std::size_t at : offsets) {
    std::string damaged = bytes_;
    const int bit = static_cast<int>(at % 8);
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
    const std::string err = load_error(damaged);
    EXPECT_FALSE(err.empty()) << "bit " << bit << " of byte " << at;
  }
}

TEST_F(DamagedCheckpoint, ADamagedSizeFieldIsNamedAsSuch) {
  for (std::size_t at = 24; at < 32; ++at) {
    for (int bit : {0, 5, 7}) {
      std::string damaged = bytes_;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      const std::string err = load_error(damaged);
      EXPECT_TRUE(contains(err, "corrupted header: its size field says"))
          << "byte " << at << " bit " << bit << ": " << err;
      EXPECT_FALSE(contains(err, "truncated")) << err;
    }
  }
}

}  // namespace
}  // namespace spikecube::faults
