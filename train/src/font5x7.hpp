#pragma once
// A 5 x 7 pixel bitmap font for printable ASCII, embedded so that PNG labels need no font files
// or font library. Characters outside it draw as a hollow box.
#include <array>
#include <cstdint>

namespace heed::train {

inline constexpr int glyph_width = 5, glyph_height = 7;

// Row r (0 = top) of the glyph of `c`; bit 4 is the leftmost pixel.
std::array<uint8_t, glyph_height> glyph(unsigned char c);

// Two extra glyphs for labels: a visible space and a newline mark.
inline constexpr unsigned char visible_space = 0x80;
inline constexpr unsigned char newline_mark = 0x81;

}  // namespace heed::train
