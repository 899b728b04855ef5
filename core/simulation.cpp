#include "core/simulation.hpp"

#include <algorithm>

namespace spikecube {

Simulation::Simulation(const Config& cfg) : cfg_(cfg), schedule_(cfg.input_off) {
  validate(cfg_);
  model_ = make_model(cfg_);
  stimulus_ = make_stimulus(cfg_);
  const auto pixels = static_cast<std::size_t>(cfg_.n) * static_cast<std::size_t>(cfg_.n);
  input_.assign(pixels, 0);
  target_.assign(pixels, 0);
  extra_names_ = model_->extra_metric_names();
}

Simulation::~Simulation() = default;

bool Simulation::input_on_next() const { return input_enabled_ && schedule_.scheduled_on(step_ + 1); }

void Simulation::step() {
  const bool on = input_on_next();
  ++step_;
  // the input is last step's target; the new target is the stimulus (or zeros)
  std::swap(input_, target_);
  std::swap(input_points_, target_points_);
  if (on) {
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
  model_->extra_metrics(last_.extra);
  clock_.on_step(step_, on, last_.iou100);

  if (on) stimulus_->advance();
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
  out.i64["sim.input_enabled"] = {input_enabled_ ? 1 : 0};
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
    throw StateError("checkpoint: holds a '" + model + "' model, but this run is a '" + std::string(model_->kind()) + "' model");
  }
  Config cfg = parse_config(in.get_text("config"), "checkpoint config");
  if (cfg.model != cfg_.model || cfg.n != cfg_.n || (cfg.model != "layer" && (cfg.depth != cfg_.depth || cfg.group != cfg_.group))) {
    throw StateError("checkpoint: its model sizes differ from this run's config");
  }
  auto model_next = make_model(cfg);
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
  const std::int64_t step = in.get_i64("sim.step", 1)[0];
  if (step < 0) throw StateError("checkpoint: negative step counter");

  cfg_ = cfg;
  schedule_ = InputSchedule(cfg_.input_off);
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
  input_enabled_ = in.get_i64("sim.input_enabled", 1)[0] != 0;
  extra_names_ = model_->extra_metric_names();
  last_ = {};
  last_.step = step_;
  last_.iou100 = iou_window_.mean();
}

}  // namespace spikecube
