#include "ui/image_export.hpp"

#include <QFile>
#include <QPainter>
#include <algorithm>
#include <cstdio>

#include "core/atomic_file.hpp"
#include "ui/colormap.hpp"
#include "ui/instance_builder.hpp"

namespace spikecube::ui {

Slice extract_slice(const NeuronView& v, int axis, int index) {
  Slice s;
  s.axis = axis;
  s.index = index;
  const Dims d = shown_dims(v);
  const int n[3] = {d.nx, d.ny, d.nz};
  if (axis < 0 || axis > 2 || index < 0 || index >= n[axis]) return s;
  if (v.potential.size() < static_cast<std::size_t>(d.count())) return s;
  const int k = index;
  const int a = axis == 0 ? 1 : 0;  // width axis
  const int b = axis == 2 ? 1 : 2;  // height axis
  s.width = n[a];
  s.height = n[b];
  s.values.resize(static_cast<std::size_t>(s.width) * s.height);
  s.spiked.resize(s.values.size());
  for (int j = 0; j < s.height; ++j) {
    for (int i = 0; i < s.width; ++i) {
      int c[3];
      c[axis] = k;
      c[a] = i;
      c[b] = j;
      const std::size_t src = (static_cast<std::size_t>(c[2]) * n[1] + c[1]) * n[0] + c[0];
      const std::size_t dst = static_cast<std::size_t>(j) * s.width + i;
      s.values[dst] = v.potential[src];
      s.spiked[dst] = src < v.spiked.size() ? v.spiked[src] : 0;
    }
  }
  return s;
}

std::string slice_csv(const Slice& s) {
  std::string out;
  out.reserve(s.values.size() * 10);
  char buf[32];
  for (int j = 0; j < s.height; ++j) {
    for (int i = 0; i < s.width; ++i) {
      std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(s.values[static_cast<std::size_t>(j) * s.width + i]));
      if (i) out += ',';
      out += buf;
    }
    out += '\n';
  }
  return out;
}

QImage slice_image(const Slice& s) {
  QImage img(std::max(s.width, 1), std::max(s.height, 1), QImage::Format_RGB32);
  img.fill(background_color());
  for (int j = 0; j < s.height; ++j) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(j));
    for (int i = 0; i < s.width; ++i) {
      const std::size_t k = static_cast<std::size_t>(j) * s.width + i;
      line[i] = (s.spiked[k] ? spike_color() : potential_color(s.values[k])).rgb();
    }
  }
  return img;
}

QImage frame_image(const Frame& f, int n, const QColor& on) {
  QImage img(std::max(n, 1), std::max(n, 1), QImage::Format_RGB32);
  img.fill(background_color());
  if (f.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(n)) return img;
  for (int y = 0; y < n; ++y) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < n; ++x)
      if (f[static_cast<std::size_t>(y) * n + x]) line[x] = on.rgb();
  }
  return img;
}

QImage error_image(const Frame& output, const Frame& target, int n) {
  QImage img(std::max(n, 1), std::max(n, 1), QImage::Format_RGB32);
  img.fill(background_color());
  const auto pixels = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  if (output.size() != pixels || target.size() != pixels) return img;
  for (int y = 0; y < n; ++y) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < n; ++x) {
      const std::size_t p = static_cast<std::size_t>(y) * n + x;
      if (output[p] && target[p]) line[x] = hit_color().rgb();
      else if (target[p]) line[x] = miss_color().rgb();
      else if (output[p]) line[x] = false_alarm_color().rgb();
    }
  }
  return img;
}

QImage annotated_slice(const Slice& s, const QString& title, int scale) {
  const QImage heat =
      slice_image(s).scaled(s.width * scale, s.height * scale, Qt::IgnoreAspectRatio, Qt::FastTransformation);
  const int legend_w = 112, title_h = 28;
  QImage out(heat.width() + legend_w, std::max(heat.height() + title_h, 370), QImage::Format_RGB32);
  out.fill(background_color());
  QPainter p(&out);
  p.drawImage(0, title_h, heat);
  p.drawImage(heat.width(), title_h, potential_legend(legend_w, std::max(heat.height(), 340)));
  QFont f = p.font();
  f.setPixelSize(15);
  p.setFont(f);
  p.setPen(QColor(235, 235, 240));
  p.drawText(QRect(6, 0, out.width() - 12, title_h), Qt::AlignLeft | Qt::AlignVCenter, title);
  return out;
}

void save_png_atomic(const QImage& img, const QString& path) {
  const std::string target = path.toStdString();
  const std::string temp = temp_path_for(target);
  if (!img.save(QString::fromStdString(temp), "PNG")) {
    QFile::remove(QString::fromStdString(temp));
    throw FileError(target + ": cannot write PNG");
  }
  commit_temp_file(temp, target);
}

}  // namespace spikecube::ui
