// CrossEntropy and its backward (cross_entropy.comp) in stages through a scratch range, so that
// every sum is taken in a fixed order.
#include "lowering.hpp"

#include <algorithm>

namespace heed::vulkan {

void lower_cross_entropy(Lowering& lowering, const Node& node, NodeId id) {
  const Node& logits = lowering.input_node(node, 0);
  int64_t classes = logits.shape.back();
  int64_t rows = classes == 0 ? element_count(lowering.input_node(node, 1).shape) : element_count(logits.shape) / classes;
  bool backward = node.op == Op::CrossEntropyBackward;
  Slot scratch = lowering.scratch(std::max<int64_t>(backward ? 4 : rows * 8, 4));
  uint32_t size = lowering.row_size(classes);
  uint32_t row_groups = static_cast<uint32_t>(std::clamp<int64_t>(rows, 1, lowering.max_groups_x()));

  // Every stage counts as writing the output and the scratch: the shader declares them writable,
  // and the validation layer's synchronisation checks go by the declaration.
  auto stage = [&](uint32_t code, uint32_t groups, uint32_t workgroup, int64_t stage_rows) {
    Dispatch dispatch;
    dispatch.shader = Shader::CrossEntropy;
    dispatch.specialization = {workgroup, code};
    dispatch.bindings = {{lowering.value(id), true},
                         {lowering.input(node, 0), false},
                         {lowering.input(node, 1), false},
                         {scratch, true},
                         {backward ? lowering.input(node, 2) : lowering.zero_word(), false}};
    dispatch.push = PushWords(5).u32(stage_rows).u32(classes).i32(node.attrs.ignore_index).take();
    dispatch.groups = {groups, 1, 1};
    lowering.emit(std::move(dispatch));
  };
  uint32_t single = lowering.row_size(rows);  // one workgroup walking every row
  if (!backward) {
    // With no classes no target counts: the finishing stage then sees no rows and writes 0.
    bool any = rows > 0 && classes > 0;
    if (any) stage(0, row_groups, size, rows);
    stage(1, 1, single, any ? rows : 0);
  } else {
    if (rows == 0 || classes == 0) return;
    stage(2, 1, single, rows);
    stage(3, row_groups, size, rows);
  }
}

}  // namespace heed::vulkan
