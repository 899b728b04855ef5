#include "core/layer_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <span>

#include "core/health.hpp"
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

}  // namespace

LayerParams LayerParams::from(const Config& cfg) {
  LayerParams p;
  p.neuron = NeuronParams::from(cfg);
  p.radius = cfg.radius;
  p.masked = cfg.masked;
  p.input_rule = cfg.input_rule == "stdp" ? InputRule::kStdp : InputRule::kHebb;
  p.eta = static_cast<float>(cfg.eta);
  p.w_in_max = static_cast<float>(cfg.w_in_max);
  p.w_rec_max = static_cast<float>(cfg.w_rec_max);
  p.a_plus = static_cast<float>(cfg.a_plus);
  p.a_minus = static_cast<float>(cfg.a_minus);
  p.decay_plus = static_cast<float>(std::exp(-1.0 / cfg.tau_plus));
  p.decay_minus = static_cast<float>(std::exp(-1.0 / cfg.tau_minus));
  p.multiplicative = cfg.multiplicative;
  p.nearest = cfg.nearest;
  p.plastic = cfg.plastic;
  return p;
}

LayerModel::LayerModel(const Config& cfg)
    : p_(LayerParams::from(cfg)),
      n_(cfg.n),
      m_(static_cast<std::int64_t>(cfg.n) * cfg.n),
      readout_(cfg.n, static_cast<std::int64_t>(cfg.n) * cfg.n, grid_points(cfg.n), cfg, cfg.seed),
      seed_(cfg.seed) {
  neurons_.init(m_, p_.neuron);
  const int pixels = n_ * n_;
  w_in_ = Eigen::MatrixXf::Zero(m_, pixels);
  const std::uint64_t k = rng::key(seed_, Stream::kInitInput, 0);
  for (int j = 0; j < pixels; ++j) {
    for (std::int64_t i = 0; i < m_; ++i) {
      if (!in_field(static_cast<int>(i), j)) continue;
      const double u = rng::uniform(
          k, static_cast<std::uint64_t>(j) * static_cast<std::uint64_t>(m_) + static_cast<std::uint64_t>(i));
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
      if (sx >= 0 && sx < n_ && sy >= 0 && sy < n_)
        w_rec_(static_cast<Eigen::Index>(o), i) = static_cast<float>(cfg.w_rec_init);
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
  return std::abs(nx - px) <= p_.radius && std::abs(ny - py) <= p_.radius;
}

void LayerModel::update_params(const Config& cfg) {
  const int refr_before = p_.neuron.refractory;
  p_ = LayerParams::from(cfg);
  if ((refr_before > 0) != (p_.neuron.refractory > 0))
    neurons_.refr.assign(p_.neuron.refractory > 0 ? static_cast<std::size_t>(m_) : 0, 0);
  readout_.set_rates(cfg.eta_out, cfg.tau_out);
}

std::span<const std::string_view> LayerModel::phase_names() {
  static constexpr std::array<std::string_view, 8> kNames = {"currents",      "integrate",       "predict",
                                                             "learn_input",   "learn_recurrent", "learn_readout",
                                                             "update_traces", "metrics"};
  return kNames;
}

// One step: the phases in order (docs/architecture.md).
void LayerModel::step(const StepInput& in) {
  currents(*in.input);
  integrate(in.step);
  predict();
  learn_input(*in.input);
  learn_recurrent();
  if (in.learn) learn_readout(*in.target);
  update_traces(*in.input);
  metrics();
}

// Phase currents: W_in x (the sum of the lit pixels' columns; one for the
// dot) plus the recurrent links from the last step's spikes.
void LayerModel::currents(const Frame& x) {
  lit_.clear();
  for (std::size_t j = 0; j < x.size(); ++j)
    if (x[j]) lit_.push_back(static_cast<std::int32_t>(j));
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
}

// Phase integrate: the neuron rule (membrane, spikes, refractoriness,
// threshold rule; neuron_rule.hpp).
void LayerModel::integrate(std::int64_t step) {
  const std::uint32_t noise_key = rng::key32(rng::key(seed_, Stream::kNoise, static_cast<std::uint64_t>(step)));
  spikecube::integrate(neurons_, p_.neuron, current_.data(), spikes_.data(), 0, m_, noise_key);
  active_.clear();
  for (std::int64_t i = 0; i < m_; ++i)
    if (spikes_[static_cast<std::size_t>(i)]) active_.push_back(static_cast<std::int32_t>(i));
}

// Phase predict: the readout's prediction (the Simulation takes the IoU
// metrics from output_).
void LayerModel::predict() { readout_.predict(active_, output_); }

// Phase learn_readout: the delta rule towards the target.
void LayerModel::learn_readout(const Frame& target) { readout_.learn(active_, output_, target); }

// Phase update_traces: the STDP traces see this step's spikes (after the
// learning phases, which read them as they stood before).
void LayerModel::update_traces(const Frame& x) {
  auto decay_trace = [&](Eigen::ArrayXf& tr, const std::uint8_t* s, float d) {
    for (Eigen::Index i = 0; i < tr.size(); ++i) {
      tr[i] = p_.nearest && s[i] ? 1.0f : tr[i] * d + static_cast<float>(s[i]);
    }
  };
  const bool stdp_in = p_.input_rule == InputRule::kStdp;
  if (stdp_in) decay_trace(pre_in_, x.data(), p_.decay_plus);
  if (stdp_in || !rec_offsets_.empty()) decay_trace(post_, spikes_.data(), p_.decay_minus);
  if (!rec_offsets_.empty()) decay_trace(pre_hid_, spikes_.data(), p_.decay_plus);
}

// Phase metrics: runaway firing; the spikes become the last step's.
void LayerModel::metrics() {
  runaway_steps_ = runaway::update(runaway_steps_, firing_rate(), p_.neuron.refractory, kLayerRunawayRate);
  prev_spikes_ = spikes_;
}

// Phase learn_input: Hebbian or pair STDP on the input weights.
void LayerModel::learn_input(const Frame& x) {
  const float wmax = p_.w_in_max;
  if (p_.input_rule == InputRule::kHebb) {
    // dW = eta s x^T: only the lit pixels' columns change. The original updates
    // the whole column (masked = false); masked keeps it inside the field.
    const float eta = p_.eta;
    if (eta == 0.0f || active_.empty()) return;
    for (std::int32_t j : lit_) {
      float* col = w_in_.col(j).data();
      for (std::int32_t i : active_) {
        if (p_.masked && !in_field(i, j)) continue;
        col[i] = std::clamp(col[i] + eta, 0.0f, wmax);
      }
    }
    return;
  }
  // pair STDP with the input pixels as pre-synaptic spikes:
  // dw_ij = A+ pre_j(t-1) s_i(t) - A- post_i(t-1) x_j(t)
  const float ap = p_.a_plus, am = p_.a_minus;
  const bool mult = p_.multiplicative;
  const int pixels = n_ * n_;
  for (int j = 0; j < pixels; ++j) {
    const bool lit = x[static_cast<std::size_t>(j)] != 0;
    const float pre = pre_in_[j];
    if (!lit && (pre == 0.0f || active_.empty())) continue;
    float* col = w_in_.col(j).data();
    auto apply = [&](std::int64_t i) {
      if (p_.masked && !in_field(static_cast<int>(i), j)) return;
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

// Phase learn_recurrent: pair STDP on the recurrent links (stdp.plastic).
void LayerModel::learn_recurrent() {
  if (rec_offsets_.empty() || !p_.plastic) return;
  const float ap = p_.a_plus, am = p_.a_minus;
  const float wmax = p_.w_rec_max;
  const bool mult = p_.multiplicative;
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
  if (runaway::steps(runaway_steps_) >= kLayerRunawaySteps) return Health::kRunaway;
  return Health::kOk;
}

void LayerModel::view(NeuronView& out, int /*max_neurons*/) const {
  out.dims = dims();
  out.stride = 1;
  out.potential.resize(static_cast<std::size_t>(m_));
  for (std::int64_t i = 0; i < m_; ++i) {
    out.potential[static_cast<std::size_t>(i)] = neurons_.v[i] / std::max(neurons_.threshold(i, p_.neuron), 1e-6f);
  }
  out.spiked = spikes_;
}

void LayerModel::visit_state(FieldVisitor& v) {
  auto floats = [](auto& a) { return std::span<float>(a.data(), static_cast<std::size_t>(a.size())); };
  v.field("layer.spikes", std::span<std::uint8_t>(spikes_), FieldRole::kStep);
  v.field("layer.w_in", floats(w_in_), FieldRole::kStep);
  v.field("layer.w_rec", floats(w_rec_), FieldRole::kStep);
  v.field("layer.v", floats(neurons_.v), FieldRole::kStep);
  v.field("layer.theta", floats(neurons_.theta), FieldRole::kStep);
  v.field("layer.refractory", std::span<std::uint8_t>(neurons_.refr), FieldRole::kStep);
  v.field("layer.pre_in", floats(pre_in_), FieldRole::kStep);
  v.field("layer.pre_hid", floats(pre_hid_), FieldRole::kStep);
  v.field("layer.post", floats(post_), FieldRole::kStep);
  v.field("layer.output", std::span<std::uint8_t>(output_), FieldRole::kFrame);
  v.field("layer.runaway_steps", std::span<std::int64_t>(&runaway_steps_, 1), FieldRole::kFrame);
  readout_.fields(v, "layer.");
}

FieldList LayerModel::field_list() const {
  // one list serves the writers (load) and the readers (save, hash); the
  // const callers only read through it
  auto* self = const_cast<LayerModel*>(this);
  return [self](FieldVisitor& v) { self->visit_state(v); };
}

void LayerModel::save(StateArchive& a) const { save_fields(field_list(), a); }

void LayerModel::load(const StateArchive& a) {
  const FieldList fields = field_list();
  check_fields(fields, a);  // every array first, so a bad checkpoint leaves the model untouched
  load_fields(fields, a);
  prev_spikes_ = spikes_;
  active_.clear();
  for (std::int64_t i = 0; i < m_; ++i)
    if (spikes_[static_cast<std::size_t>(i)]) active_.push_back(static_cast<std::int32_t>(i));
}

std::uint64_t LayerModel::state_hash() const { return hash_fields(field_list(), 0x5ca1ab1e); }

}  // namespace spikecube
