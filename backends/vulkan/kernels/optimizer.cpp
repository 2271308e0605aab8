// The SgdUpdate and AdamWUpdate effects (optimizer.comp), in place on persistent values.
#include "lowering.hpp"

namespace heed::vulkan {

void lower_optimizer(Lowering& lowering, const Node& node, NodeId) {
  int64_t count = element_count(node.shape);
  if (count == 0) return;
  bool adamw = node.op == Op::AdamWUpdate;
  uint32_t size = lowering.elementwise_size();
  Dispatch dispatch;
  dispatch.shader = Shader::Optimizer;
  dispatch.specialization = {size, adamw ? 1u : 0u};
  // SGD: param, grad, velocity, (velocity again: the shader's v, declared writable but unused
  // by SGD, rather than the shared zero word), hyper. AdamW: param, grad, m, v, hyper.
  dispatch.bindings = {{lowering.input(node, 0), true},
                       {lowering.input(node, 1), false},
                       {lowering.input(node, 2), true},
                       {lowering.input(node, adamw ? 3 : 2), true},
                       {lowering.input(node, adamw ? 4 : 3), false}};
  dispatch.push = PushWords(5).u32(count).take();
  dispatch.groups = {lowering.groups_for(count, size), 1, 1};
  lowering.emit(std::move(dispatch));
}

}  // namespace heed::vulkan
