#include "fusion.hpp"

#include "lowering.hpp"

#include <algorithm>

namespace heed::vulkan {

namespace {

bool is_epilogue_activation(Op op) { return op == Op::Tanh || op == Op::Sigmoid || op == Op::Relu || op == Op::Gelu; }

bool reads(const Node& node, NodeId value) { return std::find(node.inputs.begin(), node.inputs.end(), value) != node.inputs.end(); }

}  // namespace

Fusion::Fusion(const Graph& graph, const Plan& plan, const MemoryLayout& layout, const CompileOptions& options)
    : graph_(graph), plan_(plan), layout_(layout), enabled_(options.fusion), chains_enabled_(options.pointwise_chains),
      readers_(static_cast<size_t>(graph.size()), 0), kept_(static_cast<size_t>(graph.size()), 0) {
  for (NodeId id : plan.order) {
    if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias) continue;  // reads nothing itself
    for (NodeId input : graph.node(id).inputs) ++readers_[static_cast<size_t>(plan.root(input))];
  }
  for (NodeId id : graph.outputs()) kept_[static_cast<size_t>(plan.root(id))] = 1;
  if (!enabled_) return;
  for (size_t position = 0; position < plan.order.size(); ++position)
    if (std::optional<MaskedSoftmax> pattern = vulkan_masked_softmax(graph, plan, position)) {
      absorbed_.insert(pattern->absorbed.begin(), pattern->absorbed.end());
      masked_softmaxes_.emplace(position, std::move(*pattern));
    }
}

const MaskedSoftmax* Fusion::masked_softmax(size_t position) const {
  auto found = masked_softmaxes_.find(position);
  return found == masked_softmaxes_.end() ? nullptr : &found->second;
}

bool Fusion::overlap(NodeId a, NodeId b) const {
  Slot x = layout_.value(a), y = layout_.value(b);
  return x.pool == y.pool && x.offset < y.offset + std::max<int64_t>(y.bytes, 4) && y.offset < x.offset + std::max<int64_t>(x.bytes, 4);
}

// The dispatch runs at the matmul's position and writes the result (and the sum) there, earlier
// than the nodes it replaces would. Nothing else runs in between, since the pattern's nodes are
// consecutive; the bias, an input of the add, is computed before the add and so before the
// matmul. But the planner may have given the result the bytes of an operand that dies at the
// matmul (it was free by the time of the add or the activation): such a pattern is not fused.
std::optional<MatmulEpilogue> Fusion::matmul_epilogue(size_t position) const {
  if (!enabled_) return std::nullopt;
  const std::vector<NodeId>& order = plan_.order;
  const NodeId matmul = order[position];
  const Node& matmul_node = graph_.node(matmul);
  if (matmul_node.op != Op::Matmul || position + 1 >= order.size() || element_count(matmul_node.shape) == 0) return std::nullopt;

  // The add of a bias vector over the product's columns, its only reader.
  const NodeId add = order[position + 1];
  const Node& add_node = graph_.node(add);
  if (add_node.op != Op::Add || add_node.shape != matmul_node.shape || add_node.dtype != f32 || !reads(add_node, matmul) ||
      readers(matmul) != 1 || kept(matmul))
    return std::nullopt;
  MatmulEpilogue epilogue;
  epilogue.bias = add_node.inputs[0] == matmul ? add_node.inputs[1] : add_node.inputs[0];
  const Node& bias_node = graph_.node(epilogue.bias);
  const int64_t columns = matmul_node.shape.back();
  if (epilogue.bias == matmul || element_count(bias_node.shape) != columns || (!bias_node.shape.empty() && bias_node.shape.back() != columns))
    return std::nullopt;
  epilogue.result = add;
  epilogue.absorbed = 1;

  // An activation of the sum, possibly behind a reshape (nn::Linear returns one). When the sum
  // has other readers (the activation's VJP, say), the dispatch stores it as well.
  size_t next = position + 2;
  if (next < order.size() && graph_.node(order[next]).op == Op::Reshape && plan_.root(order[next]) == add) ++next;
  if (next < order.size()) {
    const Node& activation = graph_.node(order[next]);
    if (is_epilogue_activation(activation.op) && plan_.root(activation.inputs.at(0)) == add) {
      epilogue.activation = activation.op;
      epilogue.result = order[next];
      epilogue.absorbed = next - position;
      if (readers(add) > 1 || kept(add)) epilogue.sum = add;
    }
  }

  for (NodeId written : {epilogue.result, epilogue.sum}) {
    if (written < 0) continue;
    for (NodeId read : {matmul_node.inputs[0], matmul_node.inputs[1], epilogue.bias})
      if (overlap(written, read)) return std::nullopt;
  }
  return epilogue;
}

}  // namespace heed::vulkan
