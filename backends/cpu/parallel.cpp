#include "parallel.hpp"

namespace heed::cpu {

std::vector<int64_t> row_offsets(const Shape& axes, const std::vector<int64_t>& strides) {
  std::vector<int64_t> offsets(static_cast<size_t>(element_count(axes)));
  for (size_t index = 0; index < offsets.size(); ++index) {
    int64_t rest = static_cast<int64_t>(index), offset = 0;
    for (size_t axis = axes.size(); axis-- > 0;) {
      offset += rest % axes[axis] * strides[axis];
      rest /= axes[axis];
    }
    offsets[index] = offset;
  }
  return offsets;
}

}  // namespace heed::cpu
