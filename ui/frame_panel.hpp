#pragma once
// A small titled picture: one n x n frame (input, target, prediction, error
// map) or a heatmap, scaled up with square pixels and a thin grid frame.

#include <QColor>
#include <QImage>
#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

namespace spikecube::ui {

class FramePanel : public QWidget {
  Q_OBJECT
 public:
  explicit FramePanel(const QString& title, QWidget* parent = nullptr);
  void set_image(const QImage& img);
  void set_title(const QString& title);
  // A colour key drawn under the picture: (colour, short label) pairs.
  void set_key(const QList<QPair<QColor, QString>>& key);
  const QImage& image() const { return image_; }
  QSize sizeHint() const override { return {170, 190}; }
  QSize minimumSizeHint() const override { return {110, 130}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString title_;
  QList<QPair<QColor, QString>> key_;
  QImage image_;
};

}  // namespace spikecube::ui
