#include <heed/autodiff.hpp>
#include <heed/error.hpp>
#include <heed/ops.hpp>

#include <algorithm>

namespace heed {

namespace {

// The gradient of one slice is its gradient padded with zeros to the sliced tensor's shape. A
// tensor read in many slices (an LSTM's four gates, a sequence read one step at a time) would get one full-size concat per slice and as many full-size adds: work quadratic in
// the number of slices. So the gradients of all slices of a tensor wait for the tensor's turn,
// and slices that do not overlap along one axis are joined by a single concat, zeros filling the
// gaps; overlapping slices (rare) make further concats that are added.
struct SliceGradient {
  int64_t axis, begin, end;
  Tensor grad;
};

Tensor gather_slice_gradients(Graph& graph, Tensor x, std::vector<SliceGradient> slices) {
  std::stable_sort(slices.begin(), slices.end(),
                   [](const SliceGradient& a, const SliceGradient& b) { return std::pair(a.axis, a.begin) < std::pair(b.axis, b.begin); });
  std::vector<char> taken(slices.size(), 0);
  Tensor total;
  for (size_t first = 0; first < slices.size(); ++first) {
    if (taken[first]) continue;
    const int64_t axis = slices[first].axis;
    auto zeros = [&](int64_t count) {
      Shape shape = x.shape();
      shape[static_cast<size_t>(axis)] = count;
      return full(graph, shape, 0, x.dtype());
    };
    std::vector<Tensor> pieces;
    int64_t covered = 0;
    for (size_t i = first; i < slices.size() && slices[i].axis == axis; ++i) {
      if (taken[i] || slices[i].begin < covered) continue;
      if (slices[i].begin > covered) pieces.push_back(zeros(slices[i].begin - covered));
      pieces.push_back(slices[i].grad);
      covered = slices[i].end;
      taken[i] = 1;
    }
    if (covered < x.dim(axis)) pieces.push_back(zeros(x.dim(axis) - covered));
    Tensor layer = pieces.size() == 1 ? pieces[0] : concat(std::move(pieces), axis);
    total = total ? add(total, layer) : layer;
  }
  return total;
}

// The sum of two gradients of one value; those of a bf16 or f16 value are added in f32.
Tensor accumulate(Tensor a, Tensor b) {
  if (!is_16_bit(a.dtype())) return add(a, b);
  return cast(add(cast(a, f32), cast(b, f32)), a.dtype());
}

}  // namespace

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
  std::vector<std::vector<SliceGradient>> slice_grads(count);
  grads.back() = seed;
  for (size_t i = count; i-- > 0;) {
    // Every reader of node i comes after it, so all its slices have sent their gradients by now.
    if (!slice_grads[i].empty()) {
      Tensor gathered = gather_slice_gradients(graph, graph.tensor(static_cast<NodeId>(i)), std::move(slice_grads[i]));
      grads[i] = grads[i] ? accumulate(grads[i], gathered) : gathered;
    }
    if (!grads[i] || !depends[i]) continue;
    const Node node = graph.node(static_cast<NodeId>(i));  // a copy: VJPs append to the node list
    if (node.op == Op::Slice) {
      auto input = static_cast<size_t>(node.inputs[0]);
      if (depends[input]) slice_grads[input].push_back({node.attrs.axis, node.attrs.begin, node.attrs.end, grads[i]});
      continue;
    }
    VjpFunction vjp = op_info(node.op).vjp;
    if (!vjp || is_effect(node.op)) continue;
    std::vector<Tensor> input_grads = vjp(graph, node, graph.tensor(static_cast<NodeId>(i)), grads[i]);
    for (size_t j = 0; j < node.inputs.size() && j < input_grads.size(); ++j) {
      auto input = static_cast<size_t>(node.inputs[j]);
      if (!input_grads[j] || !depends[input]) continue;
      grads[input] = grads[input] ? accumulate(grads[input], input_grads[j]) : input_grads[j];
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
