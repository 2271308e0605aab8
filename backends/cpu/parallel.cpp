#include "parallel.hpp"

namespace heed::cpu {

std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output) {
  std::vector<int64_t> dense = dense_strides(input);
  std::vector<int64_t> strides(output.size(), 0);
  size_t extra = output.size() - input.size();
  for (size_t axis = 0; axis < input.size(); ++axis)
    strides[extra + axis] = input[axis] == output[extra + axis] ? dense[axis] : 0;
  return strides;
}

}  // namespace heed::cpu
