#pragma once
// Index arithmetic shared by the reference kernels: row-major strides, unravelling flat indices
// and numpy broadcasting, all written out plainly.
#include <heed/shape.hpp>

#include <cstdint>
#include <vector>

namespace heed::reference {

inline std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

// The multi-index of flat position `flat` in `shape`.
inline std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> index(shape.size(), 0);
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 0) return index;
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

inline int64_t ravel(const std::vector<int64_t>& index, const Shape& shape) {
  int64_t flat = 0;
  for (size_t i = 0; i < shape.size(); ++i) flat = flat * shape[i] + index[i];
  return flat;
}

// For every element of `out`, the flat index of the element of a tensor of shape `in` that numpy
// broadcasting reads for it (in's axes align with out's last axes; size-1 axes repeat).
inline std::vector<int64_t> broadcast_map(const Shape& out, const Shape& in) {
  const int64_t count = element_count(out);
  const size_t offset = out.size() - in.size();
  std::vector<int64_t> map(static_cast<size_t>(count));
  for (int64_t flat = 0; flat < count; ++flat) {
    std::vector<int64_t> index = unravel(flat, out);
    int64_t source = 0;
    for (size_t i = 0; i < in.size(); ++i) source = source * in[i] + (in[i] == 1 ? 0 : index[offset + i]);
    map[static_cast<size_t>(flat)] = source;
  }
  return map;
}

// The numpy broadcast of two shapes, computed independently of the core's.
inline Shape broadcast_of(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// A tensor seen as [outer, axis, inner] around one axis: what softmax-like ops and reductions
// over a single axis iterate over.
struct AxisView {
  int64_t outer = 1, length = 1, inner = 1;
  AxisView(const Shape& shape, int64_t axis) {
    for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
      if (i < axis) outer *= shape[static_cast<size_t>(i)];
      else if (i == axis) length = shape[static_cast<size_t>(i)];
      else inner *= shape[static_cast<size_t>(i)];
    }
  }
  int64_t at(int64_t o, int64_t j, int64_t i) const { return (o * length + j) * inner + i; }
};

}  // namespace heed::reference
