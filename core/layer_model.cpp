#include "core/layer_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/rng.hpp"
#include "core/runaway.hpp"

namespace spikecube {
namespace {

std::vector<Point> grid_points(int n) {
  std::vector<Point> p;
  p.reserve(static_cast<std::size_t>(n) * n);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) p.push_back({x, y});
  return p;
}

// Runaway (core/runaway.hpp): the windowed rate at 80% of what the layer can
// fire, or more, for this many steps in a row. The chaos phase of the
// original experiment fires most of the layer for a few steps only, so this
// never triggers on healthy runs.
constexpr std::int64_t kRunawaySteps = 1000;
constexpr double kRunawayRate = 0.8;

template <typename T>
void put(StateArchive& a, const std::string& name, const T* data, std::size_t size) {
  using V = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<V, float>) a.f32[name].assign(data, data + size);
  else if constexpr (std::is_same_v<V, std::uint8_t>) a.u8[name].assign(data, data + size);
}

}  // namespace

LayerModel::LayerModel(const Config& cfg)
    : cfg_(cfg),
      n_(cfg.n),
      m_(static_cast<std::int64_t>(cfg.n) * cfg.n),
      np_(NeuronParams::from(cfg)),
      readout_(cfg.n, static_cast<std::int64_t>(cfg.n) * cfg.n, grid_points(cfg.n), cfg, cfg.seed),
      seed_(cfg.seed) {
  neurons_.init(m_, np_);
  const int pixels = n_ * n_;
  w_in_ = Eigen::MatrixXf::Zero(m_, pixels);
  const std::uint64_t k = rng::key(seed_, Stream::kInitInput, 0);
  for (int j = 0; j < pixels; ++j) {
    for (std::int64_t i = 0; i < m_; ++i) {
      if (!in_field(static_cast<int>(i), j)) continue;
      const double u = rng::uniform(k, static_cast<std::uint64_t>(j) * static_cast<std::uint64_t>(m_) + static_cast<std::uint64_t>(i));
      w_in_(i, j) = static_cast<float>(std::min(cfg.w_in_lo + (cfg.w_in_hi - cfg.w_in_lo) * u, cfg.w_in_max));
    }
  }
  const int rr = cfg.rec_radius;
  for (int dy = -rr; dy <= rr; ++dy)
    for (int dx = -rr; dx <= rr; ++dx)
      if (dx != 0 || dy != 0) rec_offsets_.push_back({dx, dy});
  w_rec_ = Eigen::MatrixXf::Zero(static_cast<Eigen::Index>(rec_offsets_.size()), m_);
  for (std::int64_t i = 0; i < m_; ++i) {
    const int x = static_cast<int>(i % n_), y = static_cast<int>(i / n_);
    for (std::size_t o = 0; o < rec_offsets_.size(); ++o) {
      const int sx = x + rec_offsets_[o].x, sy = y + rec_offsets_[o].y;
      if (sx >= 0 && sx < n_ && sy >= 0 && sy < n_) w_rec_(static_cast<Eigen::Index>(o), i) = static_cast<float>(cfg.w_rec_init);
    }
  }
  pre_in_ = Eigen::ArrayXf::Zero(pixels);
  pre_hid_ = Eigen::ArrayXf::Zero(m_);
  post_ = Eigen::ArrayXf::Zero(m_);
  current_ = Eigen::ArrayXf::Zero(m_);
  spikes_.assign(static_cast<std::size_t>(m_), 0);
  prev_spikes_.assign(static_cast<std::size_t>(m_), 0);
  output_.assign(static_cast<std::size_t>(pixels), 0);
}

bool LayerModel::in_field(int neuron, int pixel) const {
  const int nx = neuron % n_, ny = neuron / n_, px = pixel % n_, py = pixel / n_;
  return std::abs(nx - px) <= cfg_.radius && std::abs(ny - py) <= cfg_.radius;
}

void LayerModel::update_params(const Config& cfg) {
  cfg_ = cfg;
  const int refr_before = np_.refractory;
  np_ = NeuronParams::from(cfg);
  if ((refr_before > 0) != (np_.refractory > 0)) neurons_.refr.assign(np_.refractory > 0 ? static_cast<std::size_t>(m_) : 0, 0);
  readout_.set_rates(cfg.eta_out, cfg.tau_out);
}

void LayerModel::step(const StepInput& in) {
  const Frame& x = *in.input;
  lit_.clear();
  for (std::size_t j = 0; j < x.size(); ++j)
    if (x[j]) lit_.push_back(static_cast<std::int32_t>(j));

  // currents: W_in x is the sum of the lit pixels' columns (one for the dot)
  current_.setZero();
  for (std::int32_t j : lit_) current_ += w_in_.col(j).array();
  if (!rec_offsets_.empty()) {
    for (std::int64_t i = 0; i < m_; ++i) {
      const int xi = static_cast<int>(i % n_), yi = static_cast<int>(i / n_);
      float s = 0;
      for (std::size_t o = 0; o < rec_offsets_.size(); ++o) {
        const int sx = xi + rec_offsets_[o].x, sy = yi + rec_offsets_[o].y;
        if (sx < 0 || sx >= n_ || sy < 0 || sy >= n_) continue;
        if (prev_spikes_[static_cast<std::size_t>(sy * n_ + sx)]) s += w_rec_(static_cast<Eigen::Index>(o), i);
      }
      current_[i] += s;
    }
  }

  // membrane and spikes
  const std::uint32_t noise_key = rng::key32(rng::key(seed_, Stream::kNoise, static_cast<std::uint64_t>(in.step)));
  integrate(neurons_, np_, current_.data(), spikes_.data(), 0, m_, noise_key);
  active_.clear();
  for (std::int64_t i = 0; i < m_; ++i)
    if (spikes_[static_cast<std::size_t>(i)]) active_.push_back(static_cast<std::int32_t>(i));

  // readout prediction (metrics are taken by the Simulation from output_)
  readout_.predict(active_, output_);

  // plasticity: input links, recurrent links, readout; then thresholds
  learn_input(x);
  if (!rec_offsets_.empty() && cfg_.plastic) learn_recurrent();
  readout_.learn(active_, output_, *in.target);

  const float dp = static_cast<float>(std::exp(-1.0 / cfg_.tau_plus));
  const float dm = static_cast<float>(std::exp(-1.0 / cfg_.tau_minus));
  auto decay_trace = [&](Eigen::ArrayXf& tr, const std::uint8_t* s, float d) {
    for (Eigen::Index i = 0; i < tr.size(); ++i) {
      tr[i] = cfg_.nearest && s[i] ? 1.0f : tr[i] * d + static_cast<float>(s[i]);
    }
  };
  if (cfg_.input_rule == "stdp") decay_trace(pre_in_, x.data(), dp);
  if (cfg_.input_rule == "stdp" || !rec_offsets_.empty()) decay_trace(post_, spikes_.data(), dm);
  if (!rec_offsets_.empty()) decay_trace(pre_hid_, spikes_.data(), dp);

  update_thresholds(neurons_, np_, spikes_.data(), 0, m_);

  runaway_steps_ = runaway::update(runaway_steps_, firing_rate(), np_.refractory, kRunawayRate);
  prev_spikes_ = spikes_;
}

void LayerModel::learn_input(const Frame& x) {
  const float wmax = static_cast<float>(cfg_.w_in_max);
  if (cfg_.input_rule == "hebb") {
    // dW = eta s x^T: only the lit pixels' columns change. The original updates
    // the whole column (masked = false); masked keeps it inside the field.
    const float eta = static_cast<float>(cfg_.eta);
    if (eta == 0.0f || active_.empty()) return;
    for (std::int32_t j : lit_) {
      float* col = w_in_.col(j).data();
      for (std::int32_t i : active_) {
        if (cfg_.masked && !in_field(i, j)) continue;
        col[i] = std::clamp(col[i] + eta, 0.0f, wmax);
      }
    }
    return;
  }
  // pair STDP with the input pixels as pre-synaptic spikes:
  // dw_ij = A+ pre_j(t-1) s_i(t) - A- post_i(t-1) x_j(t)
  const float ap = static_cast<float>(cfg_.a_plus), am = static_cast<float>(cfg_.a_minus);
  const bool mult = cfg_.multiplicative;
  const int pixels = n_ * n_;
  for (int j = 0; j < pixels; ++j) {
    const bool lit = x[static_cast<std::size_t>(j)] != 0;
    const float pre = pre_in_[j];
    if (!lit && (pre == 0.0f || active_.empty())) continue;
    float* col = w_in_.col(j).data();
    auto apply = [&](std::int64_t i) {
      if (cfg_.masked && !in_field(static_cast<int>(i), j)) return;
      const float w = col[i];
      const float pot = spikes_[static_cast<std::size_t>(i)] ? ap * pre * (mult ? wmax - w : 1.0f) : 0.0f;
      const float dep = lit ? am * post_[i] * (mult ? w : 1.0f) : 0.0f;
      col[i] = std::clamp(w + pot - dep, 0.0f, wmax);
    };
    if (lit) {
      for (std::int64_t i = 0; i < m_; ++i) apply(i);
    } else {
      for (std::int32_t i : active_) apply(i);
    }
  }
}

void LayerModel::learn_recurrent() {
  const float ap = static_cast<float>(cfg_.a_plus), am = static_cast<float>(cfg_.a_minus);
  const float wmax = static_cast<float>(cfg_.w_rec_max);
  const bool mult = cfg_.multiplicative;
  for (std::int64_t i = 0; i < m_; ++i) {
    const int xi = static_cast<int>(i % n_), yi = static_cast<int>(i / n_);
    const bool post_spike = spikes_[static_cast<std::size_t>(i)] != 0;
    for (std::size_t o = 0; o < rec_offsets_.size(); ++o) {
      const int sx = xi + rec_offsets_[o].x, sy = yi + rec_offsets_[o].y;
      if (sx < 0 || sx >= n_ || sy < 0 || sy >= n_) continue;
      const auto j = static_cast<std::size_t>(sy * n_ + sx);
      const bool pre_spike = spikes_[j] != 0;
      if (!post_spike && !pre_spike) continue;
      float& w = w_rec_(static_cast<Eigen::Index>(o), i);
      const float pot = post_spike ? ap * pre_hid_[static_cast<Eigen::Index>(j)] * (mult ? wmax - w : 1.0f) : 0.0f;
      const float dep = pre_spike ? am * post_[i] * (mult ? w : 1.0f) : 0.0f;
      w = std::clamp(w + pot - dep, 0.0f, wmax);
    }
  }
}

Health LayerModel::health() const {
  if (!neurons_.v.allFinite() || !neurons_.theta.allFinite()) return Health::kNonFinite;
  if (runaway::steps(runaway_steps_) >= kRunawaySteps) return Health::kRunaway;
  return Health::kOk;
}

void LayerModel::view(NeuronView& out, int /*max_neurons*/) const {
  out.dims = dims();
  out.stride = 1;
  out.potential.resize(static_cast<std::size_t>(m_));
  for (std::int64_t i = 0; i < m_; ++i) {
    out.potential[static_cast<std::size_t>(i)] = neurons_.v[i] / std::max(neurons_.threshold(i, np_), 1e-6f);
  }
  out.spiked = spikes_;
}

void LayerModel::save(StateArchive& a) const {
  put(a, "layer.w_in", w_in_.data(), static_cast<std::size_t>(w_in_.size()));
  put(a, "layer.w_rec", w_rec_.data(), static_cast<std::size_t>(w_rec_.size()));
  put(a, "layer.v", neurons_.v.data(), static_cast<std::size_t>(m_));
  put(a, "layer.theta", neurons_.theta.data(), static_cast<std::size_t>(m_));
  put(a, "layer.refractory", neurons_.refr.data(), neurons_.refr.size());
  put(a, "layer.pre_in", pre_in_.data(), static_cast<std::size_t>(pre_in_.size()));
  put(a, "layer.pre_hid", pre_hid_.data(), static_cast<std::size_t>(m_));
  put(a, "layer.post", post_.data(), static_cast<std::size_t>(m_));
  put(a, "layer.spikes", spikes_.data(), spikes_.size());
  put(a, "layer.output", output_.data(), output_.size());
  a.i64["layer.runaway_steps"] = {runaway_steps_};
  readout_.save(a, "layer.");
}

void LayerModel::load(const StateArchive& a) {
  auto copy_f = [&](const std::string& name, float* dst, std::size_t size) {
    const auto& v = a.get_f32(name, static_cast<long long>(size));
    if (size > 0) std::memcpy(dst, v.data(), size * sizeof(float));  // w_rec is empty without recurrent links
  };
  const auto pixels = static_cast<std::size_t>(n_) * static_cast<std::size_t>(n_);
  const auto m = static_cast<std::size_t>(m_);
  // check every array first so a bad checkpoint leaves the model untouched
  a.get_f32("layer.w_in", static_cast<long long>(w_in_.size()));
  a.get_f32("layer.w_rec", static_cast<long long>(w_rec_.size()));
  a.get_u8("layer.refractory", static_cast<long long>(neurons_.refr.size()));
  a.get_u8("layer.spikes", static_cast<long long>(m));
  a.get_u8("layer.output", static_cast<long long>(pixels));
  a.get_i64("layer.runaway_steps", 1);
  for (const char* name : {"layer.v", "layer.theta", "layer.pre_hid", "layer.post"}) a.get_f32(name, static_cast<long long>(m));
  a.get_f32("layer.pre_in", static_cast<long long>(pixels));
  a.get_f32("layer.w_out", static_cast<long long>(readout_.weights().size()));

  copy_f("layer.w_in", w_in_.data(), static_cast<std::size_t>(w_in_.size()));
  copy_f("layer.w_rec", w_rec_.data(), static_cast<std::size_t>(w_rec_.size()));
  copy_f("layer.v", neurons_.v.data(), m);
  copy_f("layer.theta", neurons_.theta.data(), m);
  copy_f("layer.pre_in", pre_in_.data(), pixels);
  copy_f("layer.pre_hid", pre_hid_.data(), m);
  copy_f("layer.post", post_.data(), m);
  neurons_.refr = a.get_u8("layer.refractory");
  spikes_ = a.get_u8("layer.spikes");
  prev_spikes_ = spikes_;
  output_ = a.get_u8("layer.output");
  runaway_steps_ = a.get_i64("layer.runaway_steps")[0];
  active_.clear();
  for (std::int64_t i = 0; i < m_; ++i)
    if (spikes_[static_cast<std::size_t>(i)]) active_.push_back(static_cast<std::int32_t>(i));
  readout_.load(a, "layer.");
}

std::uint64_t LayerModel::state_hash() const {
  std::uint64_t h = 0x5ca1ab1e;
  h = hash_bytes(h, spikes_.data(), spikes_.size());
  h = hash_bytes(h, w_in_.data(), static_cast<std::size_t>(w_in_.size()) * sizeof(float));
  h = hash_bytes(h, w_rec_.data(), static_cast<std::size_t>(w_rec_.size()) * sizeof(float));
  h = hash_bytes(h, neurons_.v.data(), static_cast<std::size_t>(m_) * sizeof(float));
  h = hash_bytes(h, neurons_.theta.data(), static_cast<std::size_t>(m_) * sizeof(float));
  return readout_.hash(h);
}

}  // namespace spikecube
