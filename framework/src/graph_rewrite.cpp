#include <heed/error.hpp>
#include <heed/graph.hpp>

namespace heed {

RewrittenGraph rewrite_graph(const Graph& source, const NodeRewrite& rewrite) {
  RewrittenGraph result{std::make_unique<Graph>(source.seed_), {}};
  Graph& target = *result.graph;
  target.seeds_issued_ = source.seeds_issued_;
  target.host_random_state_ = source.host_random_state_;
  result.ids.reserve(static_cast<size_t>(source.size()));
  std::vector<Tensor> inputs;
  for (const Node& node : source.nodes()) {
    if (node.op == Op::Input || is_persistent(node.op) || node.op == Op::Constant) {
      result.ids.push_back(target.add_leaf(node.op, node.name, node.dtype, node.shape, node.value).id());
      continue;
    }
    inputs.clear();
    for (NodeId input : node.inputs) inputs.push_back(target.tensor(result.ids[static_cast<size_t>(input)]));
    Tensor replacement = rewrite(target, node, inputs);
    if (replacement.valid()) {
      if (&replacement.graph() != &target || replacement.dtype() != node.dtype || replacement.shape() != node.shape)
        fail("rewrite_graph: {} was replaced by {}, which differs in graph, dtype or shape", describe_node(source, node),
             describe(replacement));
    } else {
      replacement = target.add_node(node.op, node.dtype, node.shape, inputs, node.attrs);
    }
    result.ids.push_back(replacement.id());
  }
  for (NodeId output : source.outputs()) target.output(target.tensor(result.ids[static_cast<size_t>(output)]));
  if (source.random_counter_) target.random_counter_ = result.ids[static_cast<size_t>(*source.random_counter_)];
  return result;
}

}  // namespace heed
