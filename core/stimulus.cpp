#include "core/stimulus.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>

#include "core/png_frames.hpp"
#include "core/rng.hpp"

namespace spikecube {

Dot Dot::random_start(int n, std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t k = rng::key(seed, Stream::kStimulus, 0);
  const std::uint64_t r = rng::bits64(k, index);
  const int edge = static_cast<int>(r & 3U);  // 0 top, 1 bottom, 2 left, 3 right
  // never a corner: from a corner the dot runs back and forth along the
  // diagonal over only n pixels, each visited in both directions, so the next
  // frame is ambiguous; every other start visits 2(n-1) distinct pixels
  const int along = n > 2 ? 1 + static_cast<int>((r >> 8) % static_cast<std::uint64_t>(n - 2)) : 0;
  const int sideways = ((r >> 40) & 1U) ? 1 : -1;
  Dot d;
  switch (edge) {
    case 0: d = {along, 0, sideways, +1}; break;
    case 1: d = {along, n - 1, sideways, -1}; break;
    case 2: d = {0, along, +1, sideways}; break;
    default: d = {n - 1, along, -1, sideways}; break;
  }
  return d;
}

namespace {
void reflect(int& p, int& v, int n) {
  if (p < 0) {
    p = -p;
    v = +1;
  } else if (p >= n) {
    p = 2 * n - 2 - p;
    v = -1;
  }
}
}  // namespace

void Dot::advance(int n) {
  x += vx;
  y += vy;
  reflect(x, vx, n);
  reflect(y, vy, n);
}

namespace {

class DotsStimulus final : public Stimulus {
 public:
  DotsStimulus(int n, int count, std::uint64_t seed) : n_(n) {
    for (int i = 0; i < count; ++i) dots_.push_back(Dot::random_start(n, seed, static_cast<std::uint64_t>(i)));
  }
  void draw(Frame& f) const override {
    f.assign(static_cast<std::size_t>(n_) * n_, 0);
    for (const auto& d : dots_) f[static_cast<std::size_t>(d.y * n_ + d.x)] = 1;
  }
  void advance() override {
    for (auto& d : dots_) d.advance(n_);
  }
  std::vector<Point> points() const override {
    std::vector<Point> p;
    for (const auto& d : dots_) p.push_back({d.x, d.y});
    return p;
  }
  std::vector<std::int64_t> state() const override {
    std::vector<std::int64_t> s;
    for (const auto& d : dots_) s.insert(s.end(), {d.x, d.y, d.vx, d.vy});
    return s;
  }
  void set_state(const std::vector<std::int64_t>& s) override {
    if (s.size() != dots_.size() * 4) throw StateError("checkpoint: stimulus state has the wrong size");
    for (std::size_t i = 0; i < dots_.size(); ++i) {
      Dot d{static_cast<int>(s[4 * i]), static_cast<int>(s[4 * i + 1]), static_cast<int>(s[4 * i + 2]),
            static_cast<int>(s[4 * i + 3])};
      if (d.x < 0 || d.x >= n_ || d.y < 0 || d.y >= n_ || (d.vx != 1 && d.vx != -1) || (d.vy != 1 && d.vy != -1)) {
        throw StateError("checkpoint: stimulus position or velocity out of range");
      }
      dots_[i] = d;
    }
  }

 private:
  int n_;
  std::vector<Dot> dots_;
};

// A full-length line sweeping across the grid and bouncing back.
class BarStimulus final : public Stimulus {
 public:
  BarStimulus(int n, std::uint64_t seed) : n_(n) {
    const std::uint64_t r = rng::bits64(rng::key(seed, Stream::kStimulus, 0), 1000);
    vertical_ = (r & 1U) != 0;
    pos_ = (r & 2U) ? 0 : n - 1;
    vel_ = pos_ == 0 ? 1 : -1;
  }
  void draw(Frame& f) const override {
    f.assign(static_cast<std::size_t>(n_) * n_, 0);
    for (int i = 0; i < n_; ++i) f[static_cast<std::size_t>(vertical_ ? i * n_ + pos_ : pos_ * n_ + i)] = 1;
  }
  void advance() override {
    pos_ += vel_;
    reflect(pos_, vel_, n_);
  }
  std::vector<Point> points() const override { return {vertical_ ? Point{pos_, n_ / 2} : Point{n_ / 2, pos_}}; }
  std::vector<std::int64_t> state() const override { return {vertical_ ? 1 : 0, pos_, vel_}; }
  void set_state(const std::vector<std::int64_t>& s) override {
    if (s.size() != 3 || s[1] < 0 || s[1] >= n_ || (s[2] != 1 && s[2] != -1)) {
      throw StateError("checkpoint: bar stimulus state out of range");
    }
    vertical_ = s[0] != 0;
    pos_ = static_cast<int>(s[1]);
    vel_ = static_cast<int>(s[2]);
  }

 private:
  int n_;
  bool vertical_ = true;
  int pos_ = 0, vel_ = 1;
};

class SequenceStimulus final : public Stimulus {
 public:
  SequenceStimulus(int n, std::vector<Frame> frames, std::string path)
      : n_(n), frames_(std::move(frames)), path_(std::move(path)), hash_(content_hash(frames_)) {}
  void draw(Frame& f) const override { f = frames_[index_]; }
  void advance() override { index_ = (index_ + 1) % frames_.size(); }
  std::vector<Point> points() const override {
    // centroid of the lit pixels
    long sx = 0, sy = 0, c = 0;
    const Frame& f = frames_[index_];
    for (int y = 0; y < n_; ++y)
      for (int x = 0; x < n_; ++x)
        if (f[static_cast<std::size_t>(y * n_ + x)]) sx += x, sy += y, ++c;
    if (c == 0) return {};
    return {{static_cast<int>(sx / c), static_cast<int>(sy / c)}};
  }
  // The frame index and a hash of the frames' content: a checkpoint of a
  // sequence run resumes only on the same frames (a changed file, or a
  // relative path that now resolves elsewhere, is refused, never silently run).
  std::vector<std::int64_t> state() const override {
    return {static_cast<std::int64_t>(index_), static_cast<std::int64_t>(hash_)};
  }
  void set_state(const std::vector<std::int64_t>& s) override {
    if (s.empty() || s.size() > 2 || s[0] < 0 || static_cast<std::size_t>(s[0]) >= frames_.size()) {
      throw StateError("checkpoint: sequence index out of range");
    }
    if (s.size() == 2 && static_cast<std::uint64_t>(s[1]) != hash_) {
      throw StateError(
          "checkpoint: the frames in stimulus.path \"" + path_ +
          "\" differ from those the checkpoint was made with (content hash); restore the original frames file");
    }
    index_ = static_cast<std::size_t>(s[0]);
  }

 private:
  // FNV-1a over the frame count, size and every pixel
  static std::uint64_t content_hash(const std::vector<Frame>& frames) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto add = [&](std::uint64_t byte) { h = (h ^ byte) * 0x100000001b3ULL; };
    for (int k = 0; k < 8; ++k) add((frames.size() >> (8 * k)) & 0xff);
    for (const Frame& f : frames) {
      for (int k = 0; k < 8; ++k) add((f.size() >> (8 * k)) & 0xff);
      for (auto px : f) add(px);
    }
    return h;
  }

  int n_;
  std::vector<Frame> frames_;
  std::string path_;
  std::uint64_t hash_ = 0;
  std::size_t index_ = 0;
};

}  // namespace

namespace {
std::vector<Frame> read_frame_sequence(const std::string& path, int n) {
  if (std::filesystem::is_directory(path)) return load_png_frames(path, n);
  std::ifstream in(path);
  if (!in) throw ConfigError("stimulus.path: cannot open \"" + path + "\"; expected a text file of frames");
  std::vector<Frame> frames;
  Frame cur;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (static_cast<int>(line.size()) != n || line.find_first_not_of("01") != std::string::npos) {
      throw ConfigError("stimulus.path: " + path + ":" + std::to_string(lineno) + ": expected a line of " +
                        std::to_string(n) + " characters 0 or 1");
    }
    for (char c : line) cur.push_back(c == '1' ? 1 : 0);
    if (static_cast<int>(cur.size()) == n * n) {
      frames.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) throw ConfigError("stimulus.path: " + path + ": the last frame is incomplete");
  if (frames.empty()) throw ConfigError("stimulus.path: " + path + ": holds no frames");
  return frames;
}
}  // namespace

std::vector<Frame> load_frame_sequence(const std::string& path, int n) {
  try {
    return read_frame_sequence(path, n);
  } catch (const std::bad_alloc&) {
    throw ConfigError("stimulus.path: " + path + ": out of memory while reading the frames");
  }
}

std::unique_ptr<Stimulus> make_stimulus(const Config& cfg) {
  if (cfg.stimulus == "dots") return std::make_unique<DotsStimulus>(cfg.n, cfg.dots, cfg.seed);
  if (cfg.stimulus == "bar") return std::make_unique<BarStimulus>(cfg.n, cfg.seed);
  if (cfg.stimulus == "sequence") {
    return std::make_unique<SequenceStimulus>(cfg.n, load_frame_sequence(cfg.sequence_path, cfg.n), cfg.sequence_path);
  }
  return std::make_unique<DotsStimulus>(cfg.n, 1, cfg.seed);
}

}  // namespace spikecube
