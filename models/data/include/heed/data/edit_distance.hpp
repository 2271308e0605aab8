#pragma once
// Levenshtein distance: the fewest insertions, deletions and substitutions that turn one string
// into the other; the numerator of the character error rate.
#include <cstdint>
#include <string_view>

namespace heed::data {

int64_t edit_distance(std::u32string_view from, std::u32string_view to);

}  // namespace heed::data
