#pragma once
// Row ops (softmax, layer norm, cross-entropy and their backward ops) see a tensor of any rank as
// [rows, width], width being its last axis.
#include <heed/shape.hpp>

#include <algorithm>

namespace heed::cpu {

struct Rows {
  int64_t rows, width;
};

inline Rows rows_of(const Shape& shape) {
  int64_t width = shape.empty() ? 1 : shape.back();
  return {width == 0 ? 0 : element_count(shape) / width, width};
}

// Rows per thread below which splitting does not pay.
inline int64_t row_grain(const Rows& rows) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(rows.width, 1)); }

}  // namespace heed::cpu
