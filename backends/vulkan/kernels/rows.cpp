// Ops over the last axis, a workgroup per row: the softmax family (softmax.comp) and layer norm
// (layer_norm.comp), forward and backward.
#include "lowering.hpp"
#include <heed/shape.hpp>

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

constexpr size_t softmax_bindings = 5;
constexpr size_t max_mask_rank = softmax_mask_axes;

// Where each mask of a masked softmax has the scores' elements: the rows' axes merged, with each
// mask's strides along them, and each mask's stride along a row.
struct MaskLayout {
  StridedShape leading;
  std::vector<int64_t> columns;
};

MaskLayout mask_layout(const Graph& graph, const MaskedSoftmax& pattern, const Shape& scores) {
  std::vector<std::vector<int64_t>> strides;
  MaskLayout layout;
  for (const MaskedSoftmax::Mask& mask : pattern.masks) {
    std::vector<int64_t> all = broadcast_strides(graph.node(mask.values).shape, scores);
    layout.columns.push_back(all.back());
    strides.emplace_back(all.begin(), all.end() - 1);
  }
  layout.leading = coalesce({Shape(scores.begin(), scores.end() - 1), strides});
  return layout;
}

// softmax.comp's push constants. Only OP 4 reads the fields after rows and cols, but every
// dispatch sets the whole block.
std::vector<uint32_t> softmax_push(const Rows& shape, const MaskedSoftmax& pattern, const MaskLayout& layout) {
  PushWords words(softmax_bindings);
  words.u32(shape.rows).u32(shape.cols).f32(pattern.scale);
  for (size_t m = 0; m < 2; ++m) words.f32(m < pattern.masks.size() ? pattern.masks[m].fill : 0.0f);
  const StridedShape& leading = layout.leading;
  words.u32(static_cast<int64_t>(leading.dims.size())).array(leading.dims, max_mask_rank);
  const std::vector<int64_t> none;
  for (size_t m = 0; m < 2; ++m) {
    const bool present = m < pattern.masks.size();
    words.array(present && m < leading.strides.size() ? leading.strides[m] : none, max_mask_rank);
    words.u32(present ? layout.columns[m] : 0);
  }
  return words.take();
}

}  // namespace

void lower_masked_softmax(Lowering& lowering, const Node& node, NodeId id, const MaskedSoftmax& pattern) {
  Rows shape = rows_of(node.shape);
  Dispatch dispatch;
  dispatch.groups = {row_groups(lowering, shape.rows), 1, 1};
  dispatch.shader = Shader::Softmax;
  dispatch.specialization = {lowering.row_size(shape.cols), 4u, static_cast<uint32_t>(pattern.masks.size())};
  dispatch.bindings = {{lowering.value(id), true}, {lowering.value(pattern.x), false}, {lowering.zero_word(), false}};
  for (const MaskedSoftmax::Mask& mask : pattern.masks) dispatch.bindings.push_back({lowering.value(mask.values), false});
  while (dispatch.bindings.size() < softmax_bindings) dispatch.bindings.push_back({lowering.zero_word(), false});
  dispatch.push = softmax_push(shape, pattern, mask_layout(lowering.graph(), pattern, node.shape));
  lowering.emit(std::move(dispatch));
}

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
      dispatch.specialization = {size, code, 0u};
      dispatch.bindings = {{lowering.value(id), true},
                           {lowering.input(node, 0), false},
                           {backward ? lowering.input(node, 1) : lowering.zero_word(), false},
                           {lowering.zero_word(), false},
                           {lowering.zero_word(), false}};
      dispatch.push = softmax_push(shape, {}, {});
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
