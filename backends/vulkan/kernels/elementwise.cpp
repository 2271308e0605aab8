// Elementwise ops: unary.comp for one input on the same shape, binary.comp (broadcasting through
// strides) for two or three.
#include "lowering.hpp"
#include <heed/backend/op_codes.hpp>
#include <heed/shape.hpp>

namespace heed::vulkan {

namespace {

constexpr size_t max_rank = 6;  // binary.comp's arrays

}  // namespace

uint32_t kernel_code(const Node& node, DType input) {
  if (node.op == Op::Cast) return input == node.attrs.to ? HEED_OP_COPY : input == f32 ? HEED_OP_CAST_TO_I32 : HEED_OP_CAST_TO_F32;
  const int code = op_info(node.op).code;
  if (code == HEED_OP_NO_CODE) fail("Vulkan: {} is not elementwise (internal error)", op_name(node.op));
  return static_cast<uint32_t>(code);
}

void lower_unary(Lowering& lowering, const Node& node, NodeId id) {
  int64_t count = element_count(node.shape);
  if (count == 0) return;
  uint32_t size = lowering.elementwise_size();
  Dispatch dispatch;
  dispatch.shader = Shader::Unary;
  dispatch.specialization = {size, kernel_code(node, lowering.input_node(node, 0).dtype)};
  dispatch.bindings = {{lowering.value(id), true}, {lowering.input(node, 0), false}};
  dispatch.push = PushWords(2).u32(count).take();
  dispatch.groups = {lowering.groups_for(count, size), 1, 1};
  lowering.emit(std::move(dispatch));
}

void lower_binary(Lowering& lowering, const Node& node, NodeId id) {
  int64_t count = element_count(node.shape);
  if (count == 0) return;
  const Graph& graph = lowering.graph();
  StridedShape region;
  region.dims = node.shape;
  for (NodeId input : node.inputs) region.strides.push_back(broadcast_strides(graph.node(input).shape, node.shape));
  while (region.strides.size() < 3) region.strides.emplace_back(node.shape.size(), 0);  // the unused third operand
  region = coalesce(std::move(region));
  if (region.dims.size() > max_rank)
    fail("Vulkan: {} broadcasts over {} axes that cannot be merged; the shader handles {}", describe_node(graph, node),
         region.dims.size(), max_rank);

  bool where = node.op == Op::Where;
  DType values = lowering.input_node(node, where ? 1 : 0).dtype;
  DType condition = lowering.input_node(node, 0).dtype;
  uint32_t size = lowering.elementwise_size();
  Dispatch dispatch;
  dispatch.shader = Shader::Binary;
  dispatch.specialization = {size, kernel_code(node, values), values == i32 ? 1u : 0u, condition == i32 ? 1u : 0u};
  dispatch.bindings = {{lowering.value(id), true},
                       {lowering.input(node, 0), false},
                       {lowering.input(node, 1), false},
                       {where ? lowering.input(node, 2) : lowering.zero_word(), false}};
  dispatch.push = PushWords(4)
                      .u32(count)
                      .u32(static_cast<int64_t>(region.dims.size()))
                      .array(region.dims, max_rank)
                      .array(region.strides[0], max_rank)
                      .array(region.strides[1], max_rank)
                      .array(region.strides[2], max_rank)
                      .take();
  dispatch.groups = {lowering.groups_for(count, size), 1, 1};
  lowering.emit(std::move(dispatch));
}

}  // namespace heed::vulkan
