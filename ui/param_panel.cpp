#include "ui/param_panel.hpp"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace spikecube::ui {
namespace {

bool numeric(const ParamSpec& s) {
  return s.type == ParamType::kFloat || s.type == ParamType::kInt || s.type == ParamType::kBool;
}

QString short_name(std::string_view key) {
  const auto dot = key.find('.');
  return QString::fromLatin1(key.substr(dot == std::string_view::npos ? 0 : dot + 1));
}

// layer.* keys only affect the layer model, lattice.* only the lattices
bool applies(std::string_view key, const std::string& model) {
  if (key == "lattice.group_gain") return model == "groups";
  if (key.starts_with("layer.")) return model == "layer";
  if (key.starts_with("lattice.")) return model != "layer";
  return true;
}

}  // namespace

const std::vector<std::string_view>& ParamPanel::main_keys() {
  static const std::vector<std::string_view> keys = {
      "stdp.a_plus",       "stdp.a_minus",     "stdp.tau_plus",    "stdp.tau_minus",  "readout.eta_out",
      "neuron.adapt_jump", "neuron.adapt_tau", "neuron.eta_theta", "neuron.bias",     "neuron.noise",
      "layer.eta",         "lattice.gain_xp",  "lattice.gain_xm",  "lattice.gain_yp", "lattice.gain_ym",
      "lattice.gain_zp",   "lattice.gain_zm",
  };
  return keys;
}

ParamPanel::ParamPanel(QWidget* parent) : QWidget(parent) {
  auto* inner = new QWidget();
  auto* inner_layout = new QVBoxLayout(inner);
  inner_layout->setContentsMargins(2, 2, 2, 2);
  auto* main_box = new QGroupBox(QStringLiteral("Live parameters"), inner);
  auto* main_form = new QFormLayout(main_box);
  main_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  for (std::string_view key : main_keys()) {
    if (const ParamSpec* s = find_param(key); s && s->live && numeric(*s)) add_row(main_form, *s);
  }
  more_ = new QGroupBox(QStringLiteral("More live parameters"), inner);
  more_->setCheckable(true);
  more_->setChecked(false);
  auto* more_form = new QFormLayout();
  auto* more_body = new QWidget(more_);
  more_body->setLayout(more_form);
  more_body->setVisible(false);
  auto* more_layout = new QVBoxLayout(more_);
  more_layout->setContentsMargins(2, 2, 2, 2);
  more_layout->addWidget(more_body);
  connect(more_, &QGroupBox::toggled, more_body, &QWidget::setVisible);
  for (const ParamSpec& s : param_specs()) {
    if (!s.live || !numeric(s)) continue;
    if (std::find(main_keys().begin(), main_keys().end(), s.key) != main_keys().end()) continue;
    add_row(more_form, s);
  }
  inner_layout->addWidget(main_box);
  inner_layout->addWidget(more_);
  inner_layout->addStretch(1);

  auto* scroll = new QScrollArea(this);
  scroll->setWidget(inner);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(scroll);
}

void ParamPanel::add_row(QFormLayout* form, const ParamSpec& spec) {
  const QString key = QString::fromLatin1(spec.key);
  Row row;
  row.spec = &spec;
  if (spec.type == ParamType::kBool) {
    auto* box = new QCheckBox();
    connect(box, &QCheckBox::toggled, this, [this, key](bool on) { Q_EMIT param_changed(key, on ? 1.0 : 0.0); });
    row.widget = box;
  } else {
    auto* box = new QDoubleSpinBox();
    // the spec's range is the only allowed one; huge upper bounds stay usable
    box->setRange(spec.min, std::min(spec.max, 1e6));
    box->setDecimals(spec.type == ParamType::kInt ? 0 : 6);
    box->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    if (spec.type == ParamType::kInt) box->setSingleStep(1);
    box->setKeyboardTracking(false);  // apply on enter / focus out, not per keystroke
    box->setAccelerated(true);
    connect(box, &QDoubleSpinBox::valueChanged, this, [this, key](double v) { Q_EMIT param_changed(key, v); });
    row.widget = box;
  }
  QString tip = QString::fromLatin1(spec.key) + QStringLiteral(": ") +
                QString::fromUtf8(spec.help.data(), static_cast<qsizetype>(spec.help.size()));
  tip += QStringLiteral(" [%1, %2]").arg(spec.min).arg(spec.max);
  row.widget->setToolTip(tip);
  auto* label = new QLabel(short_name(spec.key));
  label->setToolTip(tip);
  row.label = label;
  form->addRow(label, row.widget);
  rows_[key] = row;
}

void ParamPanel::set_config(const Config& cfg) {
  for (auto& [key, row] : rows_) {
    const bool show = applies(row.spec->key, cfg.model);
    row.widget->setVisible(show);
    row.label->setVisible(show);
    const double v = get_param(cfg, row.spec->key);
    const QSignalBlocker block(row.widget);
    if (auto* box = qobject_cast<QDoubleSpinBox*>(row.widget)) {
      if (!box->hasFocus()) box->setValue(v);
    } else if (auto* check = qobject_cast<QCheckBox*>(row.widget)) {
      check->setChecked(v != 0.0);
    }
  }
}

QWidget* ParamPanel::control(const QString& key) const {
  auto it = rows_.find(key);
  return it == rows_.end() ? nullptr : it->second.widget;
}

void ParamPanel::edit(const QString& key, double value) {
  QWidget* w = control(key);
  if (auto* box = qobject_cast<QDoubleSpinBox*>(w)) box->setValue(value);  // clamps to the spec range
  else if (auto* check = qobject_cast<QCheckBox*>(w)) check->setChecked(value != 0.0);
}

}  // namespace spikecube::ui
