// Ops over the last axis, a workgroup per row: the softmax family (softmax.comp) and layer norm
// (layer_norm.comp), forward and backward.
#include "lowering.hpp"

#include <algorithm>

namespace heed::vulkan {

namespace {

struct Rows {
  int64_t rows, cols;
};

Rows rows_of(const Shape& shape) {
  int64_t cols = shape.empty() ? 1 : shape.back();
  return {cols == 0 ? 0 : element_count(shape) / cols, cols};
}

uint32_t row_groups(const Lowering& lowering, int64_t rows) { return static_cast<uint32_t>(std::min<int64_t>(rows, lowering.max_groups_x())); }

}  // namespace

void lower_rows(Lowering& lowering, const Node& node, NodeId id) {
  Rows shape = rows_of(node.shape);
  if (shape.rows == 0 || shape.cols == 0) return;
  uint32_t size = lowering.row_size(shape.cols);
  Dispatch dispatch;
  dispatch.groups = {row_groups(lowering, shape.rows), 1, 1};
  switch (node.op) {
    case Op::Softmax:
    case Op::LogSoftmax:
    case Op::SoftmaxBackward:
    case Op::LogSoftmaxBackward: {
      uint32_t code = node.op == Op::Softmax ? 0 : node.op == Op::LogSoftmax ? 1 : node.op == Op::SoftmaxBackward ? 2 : 3;
      bool backward = code >= 2;
      dispatch.shader = Shader::Softmax;
      dispatch.specialization = {size, code};
      dispatch.bindings = {{lowering.value(id), true},
                           {lowering.input(node, 0), false},
                           {backward ? lowering.input(node, 1) : lowering.zero_word(), false}};
      dispatch.push = PushWords(3).u32(shape.rows).u32(shape.cols).take();
      break;
    }
    case Op::LayerNorm: {
      bool weight = node.inputs.size() > 1, bias = node.inputs.size() > 2;
      dispatch.shader = Shader::LayerNorm;
      dispatch.specialization = {size, 0u, weight ? 1u : 0u, bias ? 1u : 0u};
      dispatch.bindings = {{lowering.value(id), true},
                           {lowering.input(node, 0), false},
                           {weight ? lowering.input(node, 1) : lowering.zero_word(), false},
                           {bias ? lowering.input(node, 2) : lowering.zero_word(), false}};
      dispatch.push = PushWords(4).u32(shape.rows).u32(shape.cols).f32(node.attrs.value).take();
      break;
    }
    case Op::LayerNormBackward: {
      bool weight = node.inputs.size() > 2;
      dispatch.shader = Shader::LayerNorm;
      dispatch.specialization = {size, 1u, weight ? 1u : 0u, 0u};
      dispatch.bindings = {{lowering.value(id), true},
                           {lowering.input(node, 0), false},
                           {lowering.input(node, 1), false},
                           {weight ? lowering.input(node, 2) : lowering.zero_word(), false}};
      dispatch.push = PushWords(4).u32(shape.rows).u32(shape.cols).f32(node.attrs.value).take();
      break;
    }
    default: fail("Vulkan: no row kernel for {}", describe_node(lowering.graph(), node));
  }
  lowering.emit(std::move(dispatch));
}

}  // namespace heed::vulkan
