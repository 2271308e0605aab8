#include <heed/autodiff.hpp>
#include <heed/error.hpp>
#include <heed/ops.hpp>

namespace heed {

std::vector<Tensor> grad(Tensor loss, const std::vector<Tensor>& wrt, Tensor seed) {
  Graph& graph = loss.graph();
  if (loss.dtype() != f32) fail("grad: the loss must be f32, got {}", describe(loss));
  if (!seed) {
    if (loss.size() != 1) fail("grad: the loss {} is not a scalar; pass a seed gradient of its shape", describe(loss));
    seed = full(graph, loss.shape(), 1);
  } else if (seed.shape() != loss.shape() || seed.dtype() != f32) {
    fail("grad: the seed {} does not match the loss {}", describe(seed), describe(loss));
  }
  for (const Tensor& w : wrt) {
    if (&w.graph() != &graph) fail("grad: {} belongs to another graph than the loss", describe(w));
    if (w.dtype() != f32) fail("grad: cannot differentiate with respect to the {} tensor {}", dtype_name(w.dtype()), describe(w));
  }

  // Only nodes between some `wrt` and the loss need a gradient.
  const auto count = static_cast<size_t>(loss.id()) + 1;
  std::vector<char> depends(count, 0);
  for (const Tensor& w : wrt)
    if (static_cast<size_t>(w.id()) < count) depends[static_cast<size_t>(w.id())] = 1;
  for (size_t i = 0; i < count; ++i)
    for (NodeId input : graph.node(static_cast<NodeId>(i)).inputs)
      if (depends[static_cast<size_t>(input)]) depends[i] = 1;

  std::vector<Tensor> grads(count);
  grads.back() = seed;
  for (size_t i = count; i-- > 0;) {
    if (!grads[i] || !depends[i]) continue;
    const Node node = graph.node(static_cast<NodeId>(i));  // a copy: VJPs append to the node list
    VjpFunction vjp = op_info(node.op).vjp;
    if (!vjp || is_effect(node.op)) continue;
    std::vector<Tensor> input_grads = vjp(graph, node, graph.tensor(static_cast<NodeId>(i)), grads[i]);
    for (size_t j = 0; j < node.inputs.size() && j < input_grads.size(); ++j) {
      auto input = static_cast<size_t>(node.inputs[j]);
      if (!input_grads[j] || !depends[input]) continue;
      grads[input] = grads[input] ? add(grads[input], input_grads[j]) : input_grads[j];
    }
  }

  std::vector<Tensor> result;
  for (const Tensor& w : wrt) {
    auto id = static_cast<size_t>(w.id());
    result.push_back(id < count && grads[id] ? grads[id] : zeros_like(w));
  }
  return result;
}

}  // namespace heed
