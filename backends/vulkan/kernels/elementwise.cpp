// Elementwise ops: unary.comp for one input on the same shape, binary.comp (broadcasting through
// strides) for two or three.
#include "lowering.hpp"
#include "strides.hpp"

namespace heed::vulkan {

namespace {

constexpr size_t max_rank = 6;  // binary.comp's arrays

}  // namespace

uint32_t unary_code(const Node& node, DType input) {
  switch (node.op) {
    case Op::Neg: return 0;
    case Op::Exp: return 1;
    case Op::Log: return 2;
    case Op::Sqrt: return 3;
    case Op::Rsqrt: return 4;
    case Op::Tanh: return 5;
    case Op::Sigmoid: return 6;
    case Op::Relu: return 7;
    case Op::Gelu: return 8;
    default: break;  // Cast
  }
  if (input == node.attrs.to) return 11;
  return input == f32 ? 9 : 10;
}

uint32_t binary_code(Op op) {
  switch (op) {
    case Op::Add: return 0;
    case Op::Sub: return 1;
    case Op::Mul: return 2;
    case Op::Div: return 3;
    case Op::Pow: return 4;
    case Op::Equal: return 5;
    case Op::NotEqual: return 6;
    case Op::Less: return 7;
    case Op::LessEqual: return 8;
    case Op::Greater: return 9;
    case Op::GreaterEqual: return 10;
    case Op::Where: return 11;
    default: return 12;  // GeluBackward
  }
}

void lower_unary(Lowering& lowering, const Node& node, NodeId id) {
  int64_t count = element_count(node.shape);
  if (count == 0) return;
  uint32_t size = lowering.elementwise_size();
  Dispatch dispatch;
  dispatch.shader = Shader::Unary;
  dispatch.specialization = {size, unary_code(node, lowering.input_node(node, 0).dtype)};
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
  dispatch.specialization = {size, binary_code(node.op), values == i32 ? 1u : 0u, condition == i32 ? 1u : 0u};
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
