// Reductions over axes and their VJPs.
#include "vjp.hpp"

#include <heed/error.hpp>

#include <algorithm>

namespace heed {

namespace {

// Sorted, unique, non-negative axes; empty means all.
std::vector<int64_t> reduced_axes(std::string_view op, const Tensor& x, std::vector<int64_t> axes) {
  if (axes.empty())
    for (int64_t i = 0; i < x.rank(); ++i) axes.push_back(i);
  for (int64_t& axis : axes) axis = normalize_axis(axis, x.rank(), op);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    fail("{}: repeated axis in [{}] for {}", op, fmt::join(axes, ", "), describe(x));
  return axes;
}

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& axes, bool keep_dims) {
  Shape out;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    bool reduced = std::binary_search(axes.begin(), axes.end(), i);
    if (!reduced) out.push_back(shape[static_cast<size_t>(i)]);
    else if (keep_dims) out.push_back(1);
  }
  return out;
}

Tensor reduce(Op op, Tensor x, std::vector<int64_t> axes, bool keep_dims) {
  detail::expect_dtype(op_name(op), x, f32);
  if (x.rank() == 0) return x;
  Attributes attrs;
  attrs.axes = reduced_axes(op_name(op), x, std::move(axes));
  attrs.keep_dims = keep_dims;
  for (int64_t axis : attrs.axes)
    if (op == Op::Max && x.shape()[static_cast<size_t>(axis)] == 0) fail("max: cannot reduce the empty axis {} of {}", axis, describe(x));
  Shape shape = reduced_shape(x.shape(), attrs.axes, keep_dims);
  return x.graph().add_node(op, f32, std::move(shape), {x}, attrs);
}

// The reduced value reshaped with its reduced axes kept as size 1, ready to broadcast back.
Tensor with_kept_dims(Tensor reduced, const Node& node, const Shape& input_shape) {
  if (node.attrs.keep_dims) return reduced;
  return reshape(reduced, reduced_shape(input_shape, node.attrs.axes, true));
}

}  // namespace

Tensor sum(Tensor x, std::vector<int64_t> axes, bool keep_dims) { return reduce(Op::Sum, x, std::move(axes), keep_dims); }
Tensor max(Tensor x, std::vector<int64_t> axes, bool keep_dims) { return reduce(Op::Max, x, std::move(axes), keep_dims); }

Tensor mean(Tensor x, std::vector<int64_t> axes, bool keep_dims) {
  Tensor total = sum(x, axes, keep_dims);
  int64_t count = x.size() / std::max<int64_t>(1, total.size());
  return total * (1.0 / static_cast<double>(std::max<int64_t>(1, count)));
}

Tensor argmax(Tensor x, int64_t axis, bool keep_dims) {
  detail::expect_dtype("argmax", x, f32);
  if (x.rank() == 0) fail("argmax: needs at least one axis, got {}", describe(x));
  Attributes attrs;
  attrs.axis = normalize_axis(axis, x.rank(), "argmax");
  attrs.keep_dims = keep_dims;
  if (x.dim(attrs.axis) == 0) fail("argmax: axis {} of {} is empty", attrs.axis, describe(x));
  Shape shape = reduced_shape(x.shape(), {attrs.axis}, keep_dims);
  return x.graph().add_node(Op::Argmax, i32, std::move(shape), {x}, attrs);
}

namespace vjp {

std::vector<Tensor> sum(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor x = detail::input(graph, node, 0);
  return {broadcast(with_kept_dims(grad, node, x.shape()), x.shape())};
}

// Ties share the gradient equally, as PyTorch's amax does.
std::vector<Tensor> max(Graph& graph, const Node& node, Tensor output, Tensor grad) {
  Tensor x = detail::input(graph, node, 0);
  Tensor is_max = equal(x, broadcast(with_kept_dims(output, node, x.shape()), x.shape()));
  Tensor ties = heed::sum(is_max, node.attrs.axes, true);
  return {is_max * broadcast(with_kept_dims(grad, node, x.shape()) / ties, x.shape())};
}

}  // namespace vjp

}  // namespace heed
