#include <heed/train/attention_picture.hpp>

#include "font5x7.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace heed::train {

namespace {

// A character label as one font glyph: spaces and newlines get the font's marks.
std::string glyph_label(const std::string& label) {
  if (label.size() != 1) return label;
  unsigned char c = static_cast<unsigned char>(label[0]);
  if (c == ' ') return std::string(1, static_cast<char>(visible_space));
  if (c == '\n') return std::string(1, static_cast<char>(newline_mark));
  return label;
}

// A vertical colour bar with its scale, `height` pixels tall, at (x, y).
void colour_bar(Image& image, int x, int y, int height, const std::string& top, int scale) {
  for (int row = 0; row < height; ++row) image.fill(x, y + row, 14, 1, viridis(1.0 - static_cast<double>(row) / std::max(1, height - 1)));
  image.frame(x, y, 14, height, grey);
  image.text(x + 18, y, top, black, scale);
  image.text(x + 18, y + height - text_height(scale), "0", black, scale);
}

}  // namespace

Image render_matrix(const AttentionMap& map, const std::string& caption) {
  auto rows = static_cast<int>(map.rows.size()), columns = static_cast<int>(map.columns.size());
  int cell = std::clamp(560 / std::max({rows, columns, 1}), 9, 28);
  int scale = cell >= 16 ? 2 : 1;
  size_t widest = 0;
  for (const std::string& label : map.rows) widest = std::max(widest, glyph_label(label).size());
  int left = static_cast<int>(widest) * 6 * scale + 10;
  int title_height = text_height(2) + 8, axis_height = text_height(1) + 6, labels_height = text_height(scale) + 6;
  int top = 8 + title_height + axis_height + labels_height;
  int grid_width = columns * cell, grid_height = rows * cell;
  std::string top_label = map.by_row ? "row max" : fmt::format("{:.2f}", map.peak());
  int bar_width = 14 + 8 + text_width(top_label, scale) + 10;
  int width = std::max(left + grid_width + 12 + bar_width, text_width(caption, 2) + 16);
  int bar_height = std::max(grid_height, 2 * text_height(scale) + 8);  // room for both scale labels
  int height = top + bar_height + 10;
  Image image(width, height);

  image.text(8, 8, caption, black, 2);
  image.text(8, 8 + title_height, fmt::format("rows: {}   columns: {}", map.row_axis, map.column_axis), grey, 1);
  for (int c = 0; c < columns; ++c) {
    std::string label = glyph_label(map.columns[static_cast<size_t>(c)]).substr(0, 1);
    image.text(left + c * cell + (cell - text_width(label, scale)) / 2, top - labels_height, label, black, scale);
  }
  for (int r = 0; r < rows; ++r) {
    std::string label = glyph_label(map.rows[static_cast<size_t>(r)]);
    image.text(left - 6 - text_width(label, scale), top + r * cell + (cell - text_height(scale)) / 2, label, black, scale);
    for (int c = 0; c < columns; ++c) {
      image.fill(left + c * cell, top + r * cell, cell, cell, viridis(map.share(static_cast<size_t>(r), static_cast<size_t>(c))));
    }
  }
  image.frame(left - 1, top - 1, grid_width + 2, grid_height + 2, grey);
  colour_bar(image, left + grid_width + 12, top, bar_height, top_label, scale);
  return image;
}

Image render_running_text(const AttentionMap& map, const std::string& caption) {
  constexpr int scale = 2, text_width_limit = 720, gap = 6, padding = 3;
  int word_height = text_height(scale) + 2 * padding, line_height = word_height + gap;
  // Lay the words out first: where each goes, wrapped at the width limit.
  struct Placed {
    int x, y, width;
  };
  std::vector<Placed> placed;
  int x = 0, y = 0, widest = 0;
  for (const std::string& word : map.columns) {
    int width = text_width(word, scale) + 2 * padding;
    if (x > 0 && x + width > text_width_limit) {
      x = 0;
      y += line_height;
    }
    placed.push_back({x, y, width});
    x += width + gap;
    widest = std::max(widest, x);
  }
  int title_height = text_height(2) + 12, left = 8, top = 8 + title_height;
  std::string top_label = fmt::format("{:.2f}", map.peak());
  int text_block_height = y + word_height;
  int bar_height = std::max(text_block_height, 2 * text_height(1) + 8);
  int width = std::max(left + widest + 16 + 14 + 8 + text_width(top_label, 1) + 10, text_width(caption, 2) + 16);
  Image image(width, top + bar_height + 10);
  image.text(8, 8, caption, black, 2);
  for (size_t c = 0; c < map.columns.size(); ++c) {
    double share = map.share(0, c);
    const Placed& at = placed[c];
    image.fill(left + at.x, top + at.y, at.width, word_height, viridis(share));
    image.text(left + at.x + padding, top + at.y + padding, map.columns[c], share > 0.6 ? black : white, scale);
  }
  colour_bar(image, left + widest + 16, top, bar_height, top_label, 1);
  return image;
}

Image render_image_attention(const Prediction& prediction, const std::string& caption) {
  int side = prediction.image_side, zoom = 8, panel = side * zoom, gap = 16;
  int panels = 1 + static_cast<int>(prediction.maps.size());
  int title_height = text_height(2) + 12, label_height = text_height(2) + 10;
  int width = std::max(gap + panels * (panel + gap), text_width(caption, 2) + 2 * gap);
  int height = 8 + title_height + panel + label_height + 8;
  Image image(width, height);
  image.text(gap, 8, caption, black, 2);
  int top = 8 + title_height;

  auto draw_input = [&](int x) {
    for (int y = 0; y < side; ++y)
      for (int column = 0; column < side; ++column) {
        auto level = static_cast<uint8_t>(std::clamp(prediction.image[static_cast<size_t>(y * side + column)], 0.0f, 1.0f) * 255.0f);
        image.fill(x + column * zoom, top + y * zoom, zoom, zoom, {level, level, level});
      }
  };
  for (int p = 0; p < panels; ++p) {
    int x = gap + p * (panel + gap);
    draw_input(x);
    std::string label = "input";
    if (p > 0) {
      const AttentionMap& map = prediction.maps[static_cast<size_t>(p - 1)];
      auto grid = static_cast<int>(map.rows.size());
      int patch = panel / std::max(1, grid);
      for (int r = 0; r < grid; ++r)
        for (int c = 0; c < grid; ++c)
          image.blend(x + c * patch, top + r * patch, patch, patch, viridis(map.share(static_cast<size_t>(r), static_cast<size_t>(c))), 0.65);
      label = map.title;
    }
    image.frame(x - 1, top - 1, panel + 2, panel + 2, grey);
    image.text(x + (panel - text_width(label, 2)) / 2, top + panel + 8, label, black, 2);
  }
  return image;
}

Image render_prediction(const Prediction& prediction, const std::string& caption) {
  if (prediction.image_side > 0) return render_image_attention(prediction, caption);
  if (prediction.maps.front().running_text) return render_running_text(prediction.maps.front(), caption);
  return render_matrix(prediction.maps.front(), caption);
}

}  // namespace heed::train
