#pragma once
// UTF-8 text as Unicode code points, the characters of the user-data tasks. Decoding is strict
// (RFC 3629): overlong forms, surrogates, code points past U+10FFFF and cut sequences are errors,
// so a file that is not UTF-8 is reported rather than read as garbage.
#include <optional>
#include <string>
#include <string_view>

namespace heed::data {

// The code points of `text`; on invalid UTF-8, nothing, and `bad_byte` (if given) receives the
// offset of the first byte that is not part of a valid sequence.
std::optional<std::u32string> decode_utf8(std::string_view text, size_t* bad_byte = nullptr);
std::string encode_utf8(char32_t code_point);
std::string encode_utf8(std::u32string_view code_points);

}  // namespace heed::data
