// Single characters as visible labels, for the terminal (UTF-8 marks) and the font (its extra
// glyphs: see font5x7.hpp).
#include "prediction.hpp"

#include <fmt/format.h>

namespace heed::trainer {

std::string label_of(unsigned char c) {
  if (c == ' ') return "\u2423";   // open box
  if (c == '\n') return "\u21b5";  // downwards arrow with corner leftwards
  if (c < 0x20 || c >= 0x7f) return "\u00b7";  // middle dot
  return std::string(1, static_cast<char>(c));
}

}  // namespace heed::trainer
