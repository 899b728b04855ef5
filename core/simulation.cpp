#include "core/simulation.hpp"

#include <algorithm>

namespace spikecube {

Simulation::Simulation(const Config& cfg, RankComm& comm)
    : cfg_(cfg), comm_(&comm), schedule_(cfg.input_off, cfg.replay) {
  validate(cfg_);
  model_ = make_model(cfg_, comm);
  stimulus_ = make_stimulus(cfg_);
  const auto pixels = static_cast<std::size_t>(cfg_.n) * static_cast<std::size_t>(cfg_.n);
  input_.assign(pixels, 0);
  target_.assign(pixels, 0);
  extra_names_ = model_->extra_metric_names();
}

Simulation::~Simulation() = default;

InputMode Simulation::mode_next() const {
  return mode_ != InputMode::kOn ? mode_ : schedule_.scheduled_mode(step_ + 1);
}

void Simulation::step() {
  const InputMode mode = mode_next();
  const bool on = mode == InputMode::kOn;
  const bool replay = mode == InputMode::kReplay;
  ++step_;
  // the input is last step's target; the new target is the stimulus (or zeros)
  std::swap(input_, target_);
  std::swap(input_points_, target_points_);
  // replay: the network sees its own prediction of the frame it would have
  // seen; the true points stay, for the focus metrics
  if (replay) input_ = model_->output();
  if (on || replay) {
    stimulus_->draw(target_);
    target_points_ = stimulus_->points();
  } else {
    std::fill(target_.begin(), target_.end(), std::uint8_t{0});
    target_points_.clear();
  }

  StepInput in;
  in.step = step_;
  in.input = &input_;
  in.target = &target_;
  in.input_points = input_points_;
  in.input_on = on;
  in.learn = !replay;
  model_->step(in);

  const Frame& out = model_->output();
  last_.step = step_;
  last_.iou = frame_iou(out, target_);
  iou_window_.push(last_.iou);
  last_.iou100 = iou_window_.mean();
  last_.fire = model_->firing_rate();
  fire_ring_[static_cast<std::size_t>((step_ - 1) % IouWindow::kWindow)] = last_.fire;
  last_.out_px = count_on(out);
  last_.target_px = count_on(target_);
  last_.input_on = on;
  last_.replay = replay;
  model_->extra_metrics(last_.extra);
  // replay steps are not input-on steps: learning times count windows of
  // input-on steps only, and relearning is timed from the end of a replay too
  clock_.on_step(step_, on, last_.iou100);
  replay_clock_.on_step(replay, last_.iou);

  if (on || replay) stimulus_->advance();
}

void ReplayClock::on_step(bool replay, double iou) {
  if (!replay) {
    replaying_ = false;
    return;
  }
  if (!replaying_) *this = ReplayClock{};  // a new replay window
  replaying_ = true;
  ++count_;
  if (count_ <= 100) sum100_ += iou;
  ring_[static_cast<std::size_t>((count_ - 1) % kWindow)] = iou;
  const std::int64_t k = std::min<std::int64_t>(count_, kWindow);
  double s = 0;
  for (std::int64_t i = count_ - k; i < count_; ++i) s += ring_[static_cast<std::size_t>(i % kWindow)];
  alive_ = alive_ && s / static_cast<double>(k) >= 0.8;
  if (alive_) steps_80_ = count_;
}

double ReplayClock::iou100() const {
  return count_ == 0 ? -1.0 : sum100_ / static_cast<double>(std::min<std::int64_t>(count_, 100));
}

std::int64_t ReplayClock::steps_80() const { return count_ == 0 ? -1 : steps_80_; }

std::vector<std::int64_t> ReplayClock::state() const { return {count_, steps_80_, alive_ ? 1 : 0, replaying_ ? 1 : 0}; }

std::vector<double> ReplayClock::values() const {
  std::vector<double> v = {sum100_};
  v.insert(v.end(), ring_.begin(), ring_.end());
  return v;
}

void ReplayClock::set_state(const std::vector<std::int64_t>& s, const std::vector<double>& v) {
  if (s.size() != 4 || v.size() != 1 + kWindow || s[0] < 0 || s[1] < 0 || s[1] > s[0]) {
    throw StateError("checkpoint: inconsistent replay clock");
  }
  count_ = s[0];
  steps_80_ = s[1];
  alive_ = s[2] != 0;
  replaying_ = s[3] != 0;
  sum100_ = v[0];
  std::copy(v.begin() + 1, v.end(), ring_.begin());
}

RunSummary Simulation::summary() const {
  RunSummary s;
  s.steps = step_;
  s.iou100_final = last_.iou100;
  const auto k = std::min<std::int64_t>(step_, IouWindow::kWindow);
  double fire = 0;
  for (std::int64_t i = 0; i < k; ++i) fire += fire_ring_[static_cast<std::size_t>(i)];
  s.fire_final = k > 0 ? fire / static_cast<double>(k) : 0.0;
  s.first_iou50 = clock_.first(0.5);
  s.first_iou80 = clock_.first(0.8);
  s.resume_iou50 = clock_.resume(0.5);
  s.resume_iou80 = clock_.resume(0.8);
  s.resumed = clock_.resumed();
  s.replay_iou100 = replay_clock_.iou100();
  s.replay_steps_80 = replay_clock_.steps_80();
  return s;
}

void Simulation::set_param(const std::string& key, double value) {
  const ParamSpec* spec = find_param(key);
  if (!spec) {
    Config probe = cfg_;
    spikecube::set_param(probe, key, value);  // throws, naming the nearest key
    return;
  }
  if (!spec->live) throw ConfigError(key + ": cannot change while running; set it in the config and reset");
  Config next = cfg_;
  spikecube::set_param(next, key, value);
  validate(next);
  cfg_ = next;
  model_->update_params(cfg_);
}

void Simulation::save(StateArchive& out) const {
  out.text["config"] = to_toml(cfg_);
  out.text["model"] = std::string(model_->kind());
  out.i64["sim.step"] = {step_};
  out.i64["sim.input_enabled"] = {mode_ == InputMode::kOn ? 1 : 0};  // read by older versions
  out.i64["sim.input_mode"] = {static_cast<std::int64_t>(mode_)};
  out.i64["sim.replay_clock"] = replay_clock_.state();
  out.f64["sim.replay_values"] = replay_clock_.values();
  out.i64["sim.stimulus"] = stimulus_->state();
  out.u8["sim.input"] = input_;
  out.u8["sim.target"] = target_;
  std::vector<std::int64_t> pts;
  for (const auto& p : input_points_) pts.insert(pts.end(), {p.x, p.y});
  out.i64["sim.input_points"] = pts;
  pts.clear();
  for (const auto& p : target_points_) pts.insert(pts.end(), {p.x, p.y});
  out.i64["sim.target_points"] = pts;
  out.f64["sim.iou_window"] = iou_window_.values();
  out.i64["sim.iou_count"] = {iou_window_.total()};
  out.f64["sim.fire_ring"] = std::vector<double>(fire_ring_.begin(), fire_ring_.end());
  out.i64["sim.clock"] = clock_.state();
  model_->save(out);
}

void Simulation::load(const StateArchive& in) {
  // build everything aside, then swap in, so a failure leaves *this intact
  const std::string& model = in.get_text("model");
  if (model != model_->kind()) {
    throw StateError("checkpoint: holds a '" + model + "' model, but this run is a '" + std::string(model_->kind()) +
                     "' model");
  }
  Config cfg = parse_config(in.get_text("config"), "checkpoint config");
  if (cfg.model != cfg_.model || cfg.n != cfg_.n ||
      (cfg.model != "layer" && (cfg.depth != cfg_.depth || cfg.group != cfg_.group))) {
    throw StateError("checkpoint: its model sizes differ from this run's config");
  }
  auto model_next = make_model(cfg, *comm_);
  model_next->load(in);
  auto stim_next = make_stimulus(cfg);
  stim_next->set_state(in.get_i64("sim.stimulus"));
  const auto pixels = static_cast<long long>(cfg.n) * cfg.n;
  Frame input = in.get_u8("sim.input", pixels);
  Frame target = in.get_u8("sim.target", pixels);
  auto to_points = [](const std::vector<std::int64_t>& v) {
    if (v.size() % 2 != 0) throw StateError("checkpoint: sim points have an odd length");
    std::vector<Point> p;
    for (std::size_t i = 0; i < v.size(); i += 2) p.push_back({static_cast<int>(v[i]), static_cast<int>(v[i + 1])});
    return p;
  };
  auto ipts = to_points(in.get_i64("sim.input_points"));
  auto tpts = to_points(in.get_i64("sim.target_points"));
  IouWindow window;
  try {
    window.restore(in.get_f64("sim.iou_window"), in.get_i64("sim.iou_count", 1)[0]);
  } catch (const std::invalid_argument& e) {
    throw StateError(std::string("checkpoint: ") + e.what());
  }
  const auto& fire = in.get_f64("sim.fire_ring", IouWindow::kWindow);
  LearningClock clock;
  try {
    clock.set_state(in.get_i64("sim.clock"));
  } catch (const std::invalid_argument& e) {
    throw StateError(std::string("checkpoint: ") + e.what());
  }
  // checkpoints from before replay existed carry no replay clock or mode
  ReplayClock replay_clock;
  InputMode mode = in.get_i64("sim.input_enabled", 1)[0] != 0 ? InputMode::kOn : InputMode::kOff;
  if (in.i64.count("sim.replay_clock")) {
    replay_clock.set_state(in.get_i64("sim.replay_clock"), in.get_f64("sim.replay_values"));
    const std::int64_t m = in.get_i64("sim.input_mode", 1)[0];
    if (m < 0 || m > 2) throw StateError("checkpoint: input mode out of range");
    mode = static_cast<InputMode>(m);
  }
  const std::int64_t step = in.get_i64("sim.step", 1)[0];
  if (step < 0) throw StateError("checkpoint: negative step counter");

  cfg_ = cfg;
  schedule_ = InputSchedule(cfg_.input_off, cfg_.replay);
  model_ = std::move(model_next);
  stimulus_ = std::move(stim_next);
  input_ = std::move(input);
  target_ = std::move(target);
  input_points_ = std::move(ipts);
  target_points_ = std::move(tpts);
  iou_window_ = window;
  std::copy(fire.begin(), fire.end(), fire_ring_.begin());
  clock_ = clock;
  step_ = step;
  mode_ = mode;
  replay_clock_ = replay_clock;
  extra_names_ = model_->extra_metric_names();
  last_ = {};
  last_.step = step_;
  last_.iou100 = iou_window_.mean();
}

}  // namespace spikecube
