// Shape ops: reshape, permute, slice, concat, broadcast, stop_gradient.
#include "indexing.hpp"
#include "reference.hpp"

namespace heed::reference {

namespace {

Array same_values(const Node& node, Inputs inputs) { return Array(node.dtype, node.shape, inputs[0]->data); }

Array permute(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(node.dtype, node.shape);
  std::vector<int64_t> in_strides = strides_of(x.shape);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    std::vector<int64_t> index = unravel(flat, out.shape);
    int64_t source = 0;
    for (size_t i = 0; i < index.size(); ++i) source += index[i] * in_strides[static_cast<size_t>(node.attrs.axes[i])];
    out[flat] = x[source];
  }
  return out;
}

Array slice(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(node.dtype, node.shape);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    std::vector<int64_t> index = unravel(flat, out.shape);
    index[static_cast<size_t>(node.attrs.axis)] += node.attrs.begin;
    out[flat] = x[ravel(index, x.shape)];
  }
  return out;
}

Array concat(const Node& node, Inputs inputs) {
  Array out(node.dtype, node.shape);
  const auto axis = static_cast<size_t>(node.attrs.axis);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    std::vector<int64_t> index = unravel(flat, out.shape);
    for (const Array* part : inputs) {
      if (index[axis] < part->shape[axis]) {
        out[flat] = (*part)[ravel(index, part->shape)];
        break;
      }
      index[axis] -= part->shape[axis];
    }
  }
  return out;
}

Array broadcast(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(node.dtype, node.shape);
  std::vector<int64_t> map = broadcast_map(node.shape, x.shape);
  for (int64_t i = 0; i < out.size(); ++i) out[i] = x[map[static_cast<size_t>(i)]];
  return out;
}

}  // namespace

void add_shape_kernels(KernelTable& table) {
  table.add(Op::Reshape, same_values);
  table.add(Op::StopGradient, same_values);
  table.add(Op::Permute, permute);
  table.add(Op::Slice, slice);
  table.add(Op::Concat, concat);
  table.add(Op::Broadcast, broadcast);
}

}  // namespace heed::reference
