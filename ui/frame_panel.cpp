#include "ui/frame_panel.hpp"

#include <QPainter>
#include <algorithm>

#include "ui/colormap.hpp"

namespace spikecube::ui {

FramePanel::FramePanel(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void FramePanel::set_image(const QImage& img) {
  image_ = img;
  update();
}

void FramePanel::set_title(const QString& title) {
  title_ = title;
  update();
}

void FramePanel::set_key(const QList<QPair<QColor, QString>>& key) {
  key_ = key;
  update();
}

void FramePanel::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const int title_h = fontMetrics().height() + 4;
  const int note_h = key_.isEmpty() ? 0 : fontMetrics().height() + 2;
  p.setPen(palette().windowText().color());
  p.drawText(QRect(0, 0, width(), title_h), Qt::AlignHCenter | Qt::AlignVCenter, title_);
  if (!key_.isEmpty()) {
    // centred row of swatches and labels
    const int sw = fontMetrics().height() - 4;
    int total = 0;
    for (const auto& [c, t] : key_) total += sw + 3 + fontMetrics().horizontalAdvance(t) + 8;
    int x = std::max(0, (width() - total) / 2);
    const int y = height() - note_h;
    for (const auto& [c, t] : key_) {
      p.fillRect(QRect(x, y + 3, sw, sw), c);
      x += sw + 3;
      const int w = fontMetrics().horizontalAdvance(t);
      p.drawText(QRect(x, y, w + 2, note_h), Qt::AlignLeft | Qt::AlignVCenter, t);
      x += w + 8;
    }
  }
  if (image_.isNull()) return;
  // largest square-pixel box that fits; pixels are never smoothed
  const int avail_w = width() - 4, avail_h = height() - title_h - note_h - 4;
  const double s =
      std::min(static_cast<double>(avail_w) / image_.width(), static_cast<double>(avail_h) / image_.height());
  if (s <= 0) return;
  const int w = static_cast<int>(image_.width() * s), h = static_cast<int>(image_.height() * s);
  const QRect box((width() - w) / 2, title_h + 2 + (avail_h - h) / 2, w, h);
  p.fillRect(box, background_color());
  p.drawImage(box, image_);
  p.setPen(QColor(110, 115, 130));
  p.drawRect(box.adjusted(0, 0, -1, -1));
}

}  // namespace spikecube::ui
