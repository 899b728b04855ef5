#include "ui/colormap.hpp"

#include <QFont>
#include <QPainter>
#include <algorithm>
#include <array>
#include <cmath>

namespace spikecube::ui {
namespace {

struct Stop {
  float u, r, g, b;
};
// a cool-warm diverging map (blue - grey - red), perceptually even enough
constexpr std::array<Stop, 5> kStops = {{
    {-1.0f, 0.23f, 0.30f, 0.75f},
    {-0.5f, 0.55f, 0.69f, 0.99f},
    {0.0f, 0.87f, 0.87f, 0.87f},
    {0.5f, 0.96f, 0.60f, 0.48f},
    {1.0f, 0.71f, 0.02f, 0.15f},
}};

}  // namespace

QColor potential_color(float u) {
  if (!std::isfinite(u)) u = 0;
  u = std::clamp(u, kMapLo, kMapHi);
  for (std::size_t i = 1; i < kStops.size(); ++i) {
    if (u <= kStops[i].u) {
      const Stop& a = kStops[i - 1];
      const Stop& b = kStops[i];
      const float t = (u - a.u) / (b.u - a.u);
      return QColor::fromRgbF(a.r + t * (b.r - a.r), a.g + t * (b.g - a.g), a.b + t * (b.b - a.b));
    }
  }
  return QColor::fromRgbF(kStops.back().r, kStops.back().g, kStops.back().b);
}

QColor spike_color() { return QColor(255, 236, 80); }
QColor input_color() { return QColor(80, 230, 255); }
// the prediction's green, violet and magenta are hues the v/theta map
// (blue - grey - salmon - red), the spike yellow and the input cyan never
// take, so a prediction pixel is never read as a neuron's potential
QColor hit_color() { return QColor(90, 220, 110); }
QColor miss_color() { return QColor(150, 100, 255); }
QColor false_alarm_color() { return QColor(220, 70, 230); }
QColor background_color() { return QColor(22, 24, 30); }

QImage potential_legend(int width, int height, const QString& title) {
  QImage img(width, height, QImage::Format_ARGB32_Premultiplied);
  img.fill(background_color());
  QPainter p(&img);
  p.setRenderHint(QPainter::Antialiasing);
  QFont f = p.font();
  f.setPixelSize(std::max(10, std::min(14, width / 7)));
  p.setFont(f);
  p.setPen(Qt::white);
  const int top = 34, bottom = height - 100, bar_w = std::max(10, width / 5), bar_x = 8;
  p.drawText(QRect(0, 2, width, 20), Qt::AlignHCenter | Qt::AlignVCenter, title);
  for (int y = top; y <= bottom; ++y) {
    const float t = static_cast<float>(bottom - y) / static_cast<float>(std::max(1, bottom - top));
    p.setPen(potential_color(kMapLo + t * (kMapHi - kMapLo)));
    p.drawLine(bar_x, y, bar_x + bar_w, y);
  }
  p.setPen(Qt::white);
  const struct {
    float u;
    const char* label;
  } ticks[] = {{1.0f, "1 (θ)"}, {0.5f, "0.5"}, {0.0f, "0 (reset)"}, {-0.5f, "-0.5"}, {-1.0f, "≤ -1"}};
  for (const auto& t : ticks) {
    const int y =
        bottom - static_cast<int>(std::lround((t.u - kMapLo) / (kMapHi - kMapLo) * static_cast<float>(bottom - top)));
    p.drawLine(bar_x + bar_w, y, bar_x + bar_w + 4, y);
    p.drawText(QRect(bar_x + bar_w + 7, y - 9, width - bar_w - 12, 18), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromUtf8(t.label));
  }
  // categorical swatches under the bar
  const struct {
    QColor color;
    const char* label;
  } keys[] = {{spike_color(), "spike"},
              {input_color(), "input"},
              {hit_color(), "hit"},
              {miss_color(), "miss"},
              {false_alarm_color(), "false alarm"}};
  QFont small = p.font();
  small.setPixelSize(std::max(9, std::min(12, width / 9)));
  p.setFont(small);
  int y = height - 88;
  for (const auto& k : keys) {
    p.fillRect(QRect(bar_x, y + 3, bar_w, 11), k.color);
    p.drawText(QRect(bar_x + bar_w + 7, y, width - bar_w - 12, 17), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromUtf8(k.label));
    y += 17;
  }
  return img;
}

}  // namespace spikecube::ui
