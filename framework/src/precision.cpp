#include <heed/precision.hpp>

#include <heed/error.hpp>
#include <heed/ops.hpp>

#include <map>

namespace heed {

std::string_view precision_name(Precision precision) { return precision == Precision::bf16 ? "bf16" : "f32"; }

Precision parse_precision(std::string_view text) {
  if (text == "f32") return Precision::f32;
  if (text == "bf16") return Precision::bf16;
  fail("unknown precision '{}'; the precisions are f32 (the default) and bf16", text);
}

namespace {

// Products narrower than this stay f32 (heed/precision.hpp).
constexpr int64_t narrow = 16;

}  // namespace

RewrittenGraph apply_precision(const Graph& graph, Precision precision) {
  if (precision == Precision::f32) fail("apply_precision: f32 is the graph as built; there is nothing to rewrite");
  std::map<NodeId, Tensor> bf16_copies;  // by the id of the rebuilt f32 value
  auto bf16_copy = [&](const Tensor& value) {
    auto [found, added] = bf16_copies.try_emplace(value.id());
    if (added) found->second = cast(value, bf16);
    return found->second;
  };
  return rewrite_graph(graph, [&](Graph& target, const Node& node, const std::vector<Tensor>& inputs) -> Tensor {
    if (node.op != Op::Matmul || inputs[0].dtype() != f32 || inputs[1].dtype() != f32) return {};
    const int64_t columns = node.shape.back(), rows = columns > 0 ? element_count(node.shape) / columns : 0;
    if (rows < narrow || columns < narrow) return {};
    return target.add_node(Op::Matmul, f32, node.shape, {bf16_copy(inputs[0]), bf16_copy(inputs[1])}, node.attrs);
  });
}

}  // namespace heed
