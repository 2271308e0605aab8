#include <heed/error.hpp>
#include <heed/shape.hpp>

namespace heed {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::i32: return "i32";
    case DType::bf16: return "bf16";
    case DType::f16: return "f16";
  }
  return "unknown dtype";
}

int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::string shape_string(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

int64_t normalize_axis(int64_t axis, int64_t rank, std::string_view what) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) fail("{}: axis {} is out of range for rank {}", what, axis, rank);
  return normalized;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view what) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      fail("{}: shapes {} and {} do not broadcast (axis {}: {} vs {})", what, shape_string(a), shape_string(b), i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> dense_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

Shape squeezed(const Shape& shape) {
  Shape result;
  for (int64_t dim : shape)
    if (dim != 1) result.push_back(dim);
  return result;
}

std::vector<int64_t> squeezed_strides(const Shape& shape, const std::vector<int64_t>& strides) {
  std::vector<int64_t> result;
  for (size_t axis = 0; axis < shape.size(); ++axis)
    if (shape[axis] != 1) result.push_back(strides[axis]);
  return result;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 1; i <= from.size(); ++i)
    if (from[from.size() - i] != 1 && from[from.size() - i] != to[to.size() - i]) return false;
  return true;
}

std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output) {
  std::vector<int64_t> dense = dense_strides(input), strides(output.size(), 0);
  const size_t extra = output.size() - input.size();
  for (size_t axis = 0; axis < input.size(); ++axis) strides[extra + axis] = input[axis] == output[extra + axis] ? dense[axis] : 0;
  return strides;
}

StridedShape coalesce(StridedShape shape) {
  StridedShape result;
  result.strides.resize(shape.strides.size());
  for (size_t axis = 0; axis < shape.dims.size(); ++axis) {
    const int64_t dim = shape.dims[axis];
    if (dim == 1) continue;
    bool merge = !result.dims.empty();
    for (size_t operand = 0; merge && operand < shape.strides.size(); ++operand)
      merge = result.strides[operand].back() == shape.strides[operand][axis] * dim;
    if (merge) {
      result.dims.back() *= dim;
      for (size_t operand = 0; operand < shape.strides.size(); ++operand) result.strides[operand].back() = shape.strides[operand][axis];
    } else {
      result.dims.push_back(dim);
      for (size_t operand = 0; operand < shape.strides.size(); ++operand) result.strides[operand].push_back(shape.strides[operand][axis]);
    }
  }
  return result;
}

}  // namespace heed
