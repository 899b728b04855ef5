#pragma once
// The colours every view shares: a diverging map of membrane potential
// relative to threshold (u = v / theta: blue below rest, grey at 0, red at
// threshold), the spike flash colour, and the prediction-error colours. The
// GLSL in shaders/voxel.vert implements the same map (keep them in step); it
// gets the categorical colours from here as uniforms.

#include <QColor>
#include <QImage>
#include <QString>

namespace spikecube::ui {

inline constexpr float kMapLo = -1.0f;  // u mapped to the first stop
inline constexpr float kMapHi = 1.0f;   // u mapped to the last stop (threshold)

QColor potential_color(float u);
QColor spike_color();
QColor input_color();
QColor hit_color();
QColor miss_color();         // target pixel the readout did not predict
QColor false_alarm_color();  // predicted pixel that is not in the target
QColor background_color();

// A vertical legend of the potential map (w x h pixels) with tick labels and
// a spike swatch, drawn with QPainter; used beside the 3D view and in exports.
QImage potential_legend(int width, int height, const QString& title = QStringLiteral("v / θ"));

}  // namespace spikecube::ui
