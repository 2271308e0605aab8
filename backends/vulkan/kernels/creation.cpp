// Full, Arange and the random ops: fill.comp.
#include "lowering.hpp"

#include <bit>

namespace heed::vulkan {

void lower_creation(Lowering& lowering, const Node& node, NodeId id) {
  int64_t count = element_count(node.shape);
  if (count == 0) return;
  uint32_t mode = 0;
  switch (node.op) {
    case Op::Full: mode = 0; break;
    case Op::Arange: mode = node.dtype == f32 ? 1 : 2; break;
    case Op::RandomUniform: mode = 3; break;
    case Op::RandomNormal: mode = 4; break;
    default: mode = 5; break;
  }
  bool has_counter = !node.inputs.empty();
  uint32_t full_bits = node.dtype == f32 ? std::bit_cast<uint32_t>(static_cast<float>(node.attrs.value))
                                         : static_cast<uint32_t>(static_cast<int32_t>(node.attrs.value));
  // Integer forms of Arange's start and step, only where they mean something (a Full of -1e30
  // has none).
  bool integer_arange = node.op == Op::Arange && node.dtype == i32;
  int64_t start_i = integer_arange ? static_cast<int64_t>(node.attrs.value) : 0;
  int64_t step_i = integer_arange ? static_cast<int64_t>(node.attrs.step) : 0;
  uint32_t size = lowering.elementwise_size();
  Dispatch dispatch;
  dispatch.shader = Shader::Fill;
  dispatch.specialization = {size, mode, has_counter ? 1u : 0u};
  dispatch.bindings = {{lowering.value(id), true}, {has_counter ? lowering.input(node, 0) : lowering.zero_word(), false}};
  dispatch.push = PushWords(2)
                      .u32(count)
                      .bits(full_bits)
                      .f32(node.attrs.value)
                      .f32(node.attrs.step)
                      .i32(start_i)
                      .i32(step_i)
                      .bits(node.attrs.seed)
                      .bits(static_cast<uint32_t>(std::bit_cast<uint64_t>(node.attrs.value)))
                      .bits(static_cast<uint32_t>(std::bit_cast<uint64_t>(node.attrs.value) >> 32))
                      .bits(static_cast<uint32_t>(std::bit_cast<uint64_t>(node.attrs.step)))
                      .bits(static_cast<uint32_t>(std::bit_cast<uint64_t>(node.attrs.step) >> 32))
                      .take();
  dispatch.groups = {lowering.groups_for(count, size), 1, 1};
  lowering.emit(std::move(dispatch));
}

}  // namespace heed::vulkan
