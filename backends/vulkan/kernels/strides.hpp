#pragma once
// Shapes and strides for the shaders that index through strides (binary, copy, reduce):
// numpy broadcast strides, and merging of axes so that shaders see as few as possible.
#include <heed/shape.hpp>

#include <vector>

namespace heed::vulkan {

// Strides (in elements) to read a dense `input` as if it had the broadcast shape `output`:
// 0 along axes that are added or stretched.
std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output);

// A region of `dims` walked row-major, with one stride vector per operand.
struct StridedShape {
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides;  // [operand][axis]
};

// Drops size-1 axes and merges neighbouring axes that are contiguous in every operand
// (stride[i] == stride[i + 1] * dims[i + 1]); the elements visited and their order stay the same.
StridedShape coalesce(StridedShape shape);

}  // namespace heed::vulkan
