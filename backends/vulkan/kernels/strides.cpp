#include "strides.hpp"

namespace heed::vulkan {

std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output) {
  std::vector<int64_t> dense = dense_strides(input), strides(output.size(), 0);
  size_t extra = output.size() - input.size();
  for (size_t i = 0; i < input.size(); ++i)
    strides[extra + i] = input[i] == 1 && output[extra + i] != 1 ? 0 : dense[i];
  return strides;
}

StridedShape coalesce(StridedShape shape) {
  StridedShape result;
  result.strides.resize(shape.strides.size());
  for (size_t axis = 0; axis < shape.dims.size(); ++axis) {
    int64_t dim = shape.dims[axis];
    if (dim == 1) continue;
    bool merge = !result.dims.empty();
    for (size_t op = 0; merge && op < shape.strides.size(); ++op)
      merge = result.strides[op].back() == shape.strides[op][axis] * dim;
    if (merge) {
      result.dims.back() *= dim;
      for (size_t op = 0; op < shape.strides.size(); ++op) result.strides[op].back() = shape.strides[op][axis];
    } else {
      result.dims.push_back(dim);
      for (size_t op = 0; op < shape.strides.size(); ++op) result.strides[op].push_back(shape.strides[op][axis]);
    }
  }
  return result;
}

}  // namespace heed::vulkan
