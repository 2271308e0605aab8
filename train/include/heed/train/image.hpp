#pragma once
// An RGB picture in memory and the few drawing operations the attention pictures need: filled
// rectangles, blending, text in the embedded 5 x 7 font, and a colour map for weights.
#include <cstdint>
#include <string_view>
#include <vector>

namespace heed::train {

struct Colour {
  uint8_t r = 0, g = 0, b = 0;
};

inline constexpr Colour white{255, 255, 255}, black{0, 0, 0}, grey{110, 110, 110};

// 0 -> dark purple, 1 -> yellow (a five-stop approximation of matplotlib's viridis): ordered in
// lightness, so it reads in grey print and for colour-blind readers.
Colour viridis(double t);

class Image {
 public:
  Image(int width, int height, Colour background = white);
  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<uint8_t>& rgb() const { return rgb_; }  // row-major, 3 bytes a pixel

  void set(int x, int y, Colour colour);  // outside the picture: ignored
  Colour get(int x, int y) const;
  void fill(int x, int y, int width, int height, Colour colour);
  void blend(int x, int y, int width, int height, Colour colour, double alpha);  // alpha of `colour`
  void frame(int x, int y, int width, int height, Colour colour);                // a 1-pixel outline

  // Text with its top-left corner at (x, y); each font pixel is scale x scale pixels, glyphs are
  // 6 * scale apart.
  void text(int x, int y, std::string_view text, Colour colour, int scale = 1);

 private:
  int width_, height_;
  std::vector<uint8_t> rgb_;
};

inline int text_width(std::string_view text, int scale) { return static_cast<int>(text.size()) * 6 * scale - scale; }
inline int text_height(int scale) { return 7 * scale; }

}  // namespace heed::train
