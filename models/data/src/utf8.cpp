#include <heed/data/utf8.hpp>

namespace heed::data {

std::optional<std::u32string> decode_utf8(std::string_view text, size_t* bad_byte) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  auto invalid = [&]() -> std::optional<std::u32string> {
    if (bad_byte) *bad_byte = i;
    return std::nullopt;
  };
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    int continuation = 0;
    char32_t code = 0, smallest = 0;
    if (byte < 0x80) {
      out.push_back(byte);
      ++i;
      continue;
    } else if ((byte & 0xe0) == 0xc0) {
      continuation = 1, code = byte & 0x1f, smallest = 0x80;
    } else if ((byte & 0xf0) == 0xe0) {
      continuation = 2, code = byte & 0x0f, smallest = 0x800;
    } else if ((byte & 0xf8) == 0xf0) {
      continuation = 3, code = byte & 0x07, smallest = 0x10000;
    } else {
      return invalid();
    }
    if (i + static_cast<size_t>(continuation) >= text.size()) return invalid();  // cut short by the end
    for (int k = 1; k <= continuation; ++k) {
      auto next = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
      if ((next & 0xc0) != 0x80) return invalid();
      code = (code << 6) | (next & 0x3f);
    }
    if (code < smallest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return invalid();
    out.push_back(code);
    i += static_cast<size_t>(continuation) + 1;
  }
  return out;
}

std::string encode_utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
  return out;
}

std::string encode_utf8(std::u32string_view code_points) {
  std::string out;
  for (char32_t c : code_points) out += encode_utf8(c);
  return out;
}

}  // namespace heed::data
