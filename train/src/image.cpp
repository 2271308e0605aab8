#include <heed/train/image.hpp>

#include "font5x7.hpp"

#include <heed/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace heed::train {

Colour viridis(double t) {
  static constexpr std::array<std::array<double, 3>, 5> stops{{
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (stops.size() - 1);
  auto low = std::min(static_cast<size_t>(t), stops.size() - 2);
  double f = t - static_cast<double>(low);
  auto mix = [&](size_t c) { return static_cast<uint8_t>(std::lround(stops[low][c] * (1 - f) + stops[low + 1][c] * f)); };
  return {mix(0), mix(1), mix(2)};
}

Image::Image(int width, int height, Colour background) : width_(width), height_(height) {
  if (width <= 0 || height <= 0 || width > 20000 || height > 20000) fail("a picture of {} x {} pixels is not possible", width, height);
  rgb_.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  fill(0, 0, width, height, background);
}

void Image::set(int x, int y, Colour colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  auto at = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  rgb_[at] = colour.r;
  rgb_[at + 1] = colour.g;
  rgb_[at + 2] = colour.b;
}

Colour Image::get(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return {};
  auto at = (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  return {rgb_[at], rgb_[at + 1], rgb_[at + 2]};
}

void Image::fill(int x, int y, int width, int height, Colour colour) {
  for (int row = y; row < y + height; ++row)
    for (int column = x; column < x + width; ++column) set(column, row, colour);
}

void Image::blend(int x, int y, int width, int height, Colour colour, double alpha) {
  auto mix = [alpha](uint8_t under, uint8_t over) {
    return static_cast<uint8_t>(std::lround(under * (1 - alpha) + over * alpha));
  };
  for (int row = y; row < y + height; ++row)
    for (int column = x; column < x + width; ++column) {
      Colour under = get(column, row);
      set(column, row, {mix(under.r, colour.r), mix(under.g, colour.g), mix(under.b, colour.b)});
    }
}

void Image::frame(int x, int y, int width, int height, Colour colour) {
  fill(x, y, width, 1, colour);
  fill(x, y + height - 1, width, 1, colour);
  fill(x, y, 1, height, colour);
  fill(x + width - 1, y, 1, height, colour);
}

void Image::text(int x, int y, std::string_view text, Colour colour, int scale) {
  for (unsigned char c : text) {
    auto rows = glyph(c);
    for (int r = 0; r < glyph_height; ++r)
      for (int column = 0; column < glyph_width; ++column)
        if (rows[static_cast<size_t>(r)] & (1 << (glyph_width - 1 - column)))
          fill(x + column * scale, y + r * scale, scale, scale, colour);
    x += 6 * scale;
  }
}

}  // namespace heed::train
