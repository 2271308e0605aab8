// Single characters as visible labels, for the terminal (UTF-8 marks) and the font (its extra
// glyphs: see font5x7.hpp); and how a map's weights are shaded.
#include <heed/train/prediction.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace heed::train {

std::string label_of(unsigned char c) {
  if (c == ' ') return "\u2423";   // open box
  if (c == '\n') return "\u21b5";  // downwards arrow with corner leftwards
  if (c < 0x20 || c >= 0x7f) return "\u00b7";  // middle dot
  return std::string(1, static_cast<char>(c));
}

float AttentionMap::peak() const {
  float largest = 0;
  for (float w : weights) largest = std::max(largest, w);
  return largest;
}

double AttentionMap::share(size_t row, size_t column) const {
  float largest = 0;
  if (by_row) {
    for (size_t c = 0; c < columns.size(); ++c) largest = std::max(largest, at(row, c));
  } else {
    largest = peak();
  }
  return largest > 0 ? at(row, column) / largest : 0.0;
}

}  // namespace heed::train
