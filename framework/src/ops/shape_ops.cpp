// Shape ops (reshape, permute, slice, concat, broadcast) and their VJPs.
#include "vjp.hpp"

#include <heed/error.hpp>

#include <algorithm>
#include <numeric>

namespace heed {

Tensor reshape(Tensor x, Shape shape) {
  int64_t known = 1, unknown_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (unknown_at >= 0) fail("reshape: more than one -1 in {} for {}", shape_string(shape), describe(x));
      unknown_at = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      fail("reshape: negative dimension in {} for {}", shape_string(shape), describe(x));
    } else {
      known *= shape[i];
    }
  }
  if (unknown_at >= 0) {
    if (known == 0 || x.size() % known != 0) fail("reshape: cannot infer the -1 in {} for {}", shape_string(shape), describe(x));
    shape[static_cast<size_t>(unknown_at)] = x.size() / known;
  }
  if (element_count(shape) != x.size())
    fail("reshape: {} has {} elements, the new shape {} has {}", describe(x), x.size(), shape_string(shape), element_count(shape));
  if (shape == x.shape()) return x;
  return x.graph().add_node(Op::Reshape, x.dtype(), std::move(shape), {x});
}

Tensor permute(Tensor x, std::vector<int64_t> order) {
  if (static_cast<int64_t>(order.size()) != x.rank())
    fail("permute: the order [{}] has {} axes, {} has {}", fmt::join(order, ", "), order.size(), describe(x), x.rank());
  std::vector<bool> seen(order.size(), false);
  for (int64_t& axis : order) {
    axis = normalize_axis(axis, x.rank(), "permute");
    if (seen[static_cast<size_t>(axis)]) fail("permute: the order repeats axis {} for {}", axis, describe(x));
    seen[static_cast<size_t>(axis)] = true;
  }
  std::vector<int64_t> identity(order.size());
  std::iota(identity.begin(), identity.end(), 0);
  if (order == identity) return x;
  Shape shape(order.size());
  for (size_t i = 0; i < order.size(); ++i) shape[i] = x.shape()[static_cast<size_t>(order[i])];
  Attributes attrs;
  attrs.axes = std::move(order);
  return x.graph().add_node(Op::Permute, x.dtype(), std::move(shape), {x}, attrs);
}

Tensor transpose(Tensor x, int64_t axis_a, int64_t axis_b) {
  std::vector<int64_t> order(static_cast<size_t>(x.rank()));
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[static_cast<size_t>(normalize_axis(axis_a, x.rank(), "transpose"))],
            order[static_cast<size_t>(normalize_axis(axis_b, x.rank(), "transpose"))]);
  return permute(x, order);
}

Tensor slice(Tensor x, int64_t axis, int64_t begin, int64_t end) {
  axis = normalize_axis(axis, x.rank(), "slice");
  int64_t dim = x.dim(axis);
  if (begin < 0) begin += dim;
  if (end < 0) end += dim;
  begin = std::clamp<int64_t>(begin, 0, dim);
  end = std::clamp<int64_t>(end, begin, dim);
  if (begin == 0 && end == dim) return x;
  Shape shape = x.shape();
  shape[static_cast<size_t>(axis)] = end - begin;
  Attributes attrs;
  attrs.axis = axis;
  attrs.begin = begin;
  attrs.end = end;
  return x.graph().add_node(Op::Slice, x.dtype(), std::move(shape), {x}, attrs);
}

Tensor concat(std::vector<Tensor> parts, int64_t axis) {
  if (parts.empty()) fail("concat: needs at least one tensor");
  Tensor first = parts.front();
  axis = normalize_axis(axis, first.rank(), "concat");
  Shape shape = first.shape();
  shape[static_cast<size_t>(axis)] = 0;
  for (const Tensor& part : parts) {
    if (&part.graph() != &first.graph()) fail("concat: inputs belong to different graphs");
    detail::expect_same_dtype("concat", first, part);
    bool fits = part.rank() == first.rank();
    for (int64_t i = 0; fits && i < first.rank(); ++i) fits = i == axis || part.dim(i) == first.dim(i);
    if (!fits) fail("concat: {} does not fit {} along axis {}", describe(part), describe(first), axis);
    shape[static_cast<size_t>(axis)] += part.dim(axis);
  }
  if (parts.size() == 1) return first;
  Attributes attrs;
  attrs.axis = axis;
  return first.graph().add_node(Op::Concat, first.dtype(), std::move(shape), std::move(parts), attrs);
}

Tensor broadcast(Tensor x, Shape shape) {
  if (broadcast_shapes(x.shape(), shape, "broadcast") != shape || x.rank() > static_cast<int64_t>(shape.size()))
    fail("broadcast: {} cannot be broadcast to {}", describe(x), shape_string(shape));
  if (shape == x.shape()) return x;
  return x.graph().add_node(Op::Broadcast, x.dtype(), std::move(shape), {x});
}


Tensor stop_gradient(Tensor x) { return x.graph().add_node(Op::StopGradient, x.dtype(), x.shape(), {x}); }

Tensor unsqueeze(Tensor x, int64_t axis) {
  axis = normalize_axis(axis, x.rank() + 1, "unsqueeze");
  Shape shape = x.shape();
  shape.insert(shape.begin() + axis, 1);
  return reshape(x, std::move(shape));
}

Tensor squeeze(Tensor x, int64_t axis) {
  axis = normalize_axis(axis, x.rank(), "squeeze");
  if (x.dim(axis) != 1) fail("squeeze: axis {} of {} is not of size 1", axis, describe(x));
  Shape shape = x.shape();
  shape.erase(shape.begin() + axis);
  return reshape(x, std::move(shape));
}

Tensor sum_to(Tensor x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (broadcast_shapes(shape, x.shape(), "sum_to") != x.shape())
    fail("sum_to: {} is not a broadcast of {}", describe(x), shape_string(shape));
  int64_t extra = x.rank() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < x.rank(); ++i)
    if (i < extra || (shape[static_cast<size_t>(i - extra)] == 1 && x.dim(i) != 1)) axes.push_back(i);
  Tensor reduced = axes.empty() ? x : sum(x, axes, true);
  return reshape(reduced, shape);
}

namespace vjp {

using detail::input;

std::vector<Tensor> reshape(Graph& graph, const Node& node, Tensor, Tensor grad) {
  return {heed::reshape(grad, input(graph, node, 0).shape())};
}

std::vector<Tensor> permute(Graph&, const Node& node, Tensor, Tensor grad) {
  std::vector<int64_t> inverse(node.attrs.axes.size());
  for (size_t i = 0; i < inverse.size(); ++i) inverse[static_cast<size_t>(node.attrs.axes[i])] = static_cast<int64_t>(i);
  return {heed::permute(grad, inverse)};
}

std::vector<Tensor> concat(Graph& graph, const Node& node, Tensor, Tensor grad) {
  std::vector<Tensor> grads;
  int64_t offset = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    int64_t width = input(graph, node, i).dim(node.attrs.axis);
    grads.push_back(heed::slice(grad, node.attrs.axis, offset, offset + width));
    offset += width;
  }
  return grads;
}

std::vector<Tensor> broadcast(Graph& graph, const Node& node, Tensor, Tensor grad) {
  return {sum_to(grad, input(graph, node, 0).shape())};
}

}  // namespace vjp

}  // namespace heed
