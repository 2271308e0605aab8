// Embedding and its deterministic backward (embedding.comp).
#include "lowering.hpp"

#include <algorithm>

namespace heed::vulkan {

void lower_embedding(Lowering& lowering, const Node& node, NodeId id) {
  bool backward = node.op == Op::EmbeddingBackward;
  // Forward: inputs weight [V, D], indices. Backward: dy [..., D], indices; output [V, D].
  const Node& indices = lowering.input_node(node, 1);
  int64_t positions = element_count(indices.shape);
  int64_t rows = backward ? node.attrs.rows : lowering.input_node(node, 0).shape[0];
  int64_t width = node.shape.back();
  if (element_count(node.shape) == 0) return;
  Dispatch dispatch;
  dispatch.shader = Shader::Embedding;
  dispatch.bindings = {{lowering.value(id), true}, {lowering.input(node, 0), false}, {lowering.input(node, 1), false}};
  dispatch.push = PushWords(3).u32(positions).u32(rows).u32(width).take();
  if (backward) {
    uint32_t size = lowering.row_size(std::max(width, positions));
    dispatch.specialization = {size, 1u};
    dispatch.groups = {static_cast<uint32_t>(std::min<int64_t>(rows, lowering.max_groups_x())), 1, 1};
  } else {
    uint32_t size = lowering.elementwise_size();
    dispatch.specialization = {size, 0u};
    dispatch.groups = {lowering.groups_for(positions * width, size), 1, 1};
  }
  lowering.emit(std::move(dispatch));
}

}  // namespace heed::vulkan
