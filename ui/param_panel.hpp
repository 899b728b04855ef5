#pragma once
// Live parameter controls, generated from core's param_specs(): one spin box
// (or check box) per live numeric parameter, its range taken from the spec so
// a value outside it can never be entered, the spec's help as tooltip. The
// most used learning and neuron rates come first; the rest of the live keys
// sit in a collapsed group. Keys that do not apply to the current model
// (layer.* for lattices, lattice.* for the layer model) are hidden.

#include <QString>
#include <QWidget>
#include <map>

#include "core/config.hpp"

class QDoubleSpinBox;
class QCheckBox;
class QGroupBox;
class QFormLayout;

namespace spikecube::ui {

class ParamPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ParamPanel(QWidget* parent = nullptr);
  // Shows cfg's values (without emitting) and hides keys of other models.
  void set_config(const Config& cfg);
  // The control of a key, for tests (nullptr if none).
  QWidget* control(const QString& key) const;
  // Sets a control as a user would (emits param_changed when it changes).
  void edit(const QString& key, double value);

  // The keys shown first, in this order.
  static const std::vector<std::string_view>& main_keys();

 Q_SIGNALS:
  void param_changed(const QString& key, double value);

 private:
  struct Row {
    const ParamSpec* spec = nullptr;
    QWidget* widget = nullptr;  // QDoubleSpinBox or QCheckBox
    QWidget* label = nullptr;
  };
  void add_row(QFormLayout* form, const ParamSpec& spec);
  std::map<QString, Row> rows_;
  QGroupBox* more_ = nullptr;
};

}  // namespace spikecube::ui
