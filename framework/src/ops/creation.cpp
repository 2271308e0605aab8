// Creation ops: full, arange and the counter-based random ops.
#include "vjp.hpp"

#include <heed/error.hpp>

namespace heed {

namespace detail {

void expect_dtype(std::string_view op, const Tensor& x, DType dtype) {
  if (x.dtype() != dtype) fail("{}: expects {} input, got {}", op, dtype_name(dtype), describe(x));
}

void expect_same_dtype(std::string_view op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) fail("{}: inputs differ in dtype: {} and {}", op, describe(a), describe(b));
}

}  // namespace detail

Tensor full(Graph& graph, Shape shape, double value, DType dtype) {
  for (int64_t dim : shape)
    if (dim < 0) fail("full: negative dimension in shape {}", shape_string(shape));
  Attributes attrs;
  attrs.value = value;
  return graph.add_node(Op::Full, dtype, std::move(shape), {}, attrs);
}

Tensor zeros_like(Tensor x) { return full(x.graph(), x.shape(), 0, x.dtype()); }
Tensor ones_like(Tensor x) { return full(x.graph(), x.shape(), 1, x.dtype()); }
Tensor scalar(Graph& graph, double value, DType dtype) { return full(graph, {}, value, dtype); }

Tensor arange(Graph& graph, int64_t count, double start, double step, DType dtype) {
  if (count < 0) fail("arange: negative count {}", count);
  Attributes attrs;
  attrs.value = start;
  attrs.step = step;
  return graph.add_node(Op::Arange, dtype, {count}, {}, attrs);
}

namespace {

Tensor random(Op op, Graph& graph, Shape shape, const RandomOptions& options) {
  for (int64_t dim : shape)
    if (dim < 0) fail("{}: negative dimension in shape {}", op_name(op), shape_string(shape));
  Attributes attrs;
  attrs.seed = options.seed ? *options.seed : graph.next_seed();
  std::vector<Tensor> inputs;
  if (options.counter) {
    if (options.counter.dtype() != i32 || options.counter.rank() != 0)
      fail("{}: the counter must be an i32 scalar, got {}", op_name(op), describe(options.counter));
    inputs.push_back(options.counter);
  }
  return graph.add_node(op, f32, std::move(shape), std::move(inputs), attrs);
}

}  // namespace

Tensor random_uniform(Graph& graph, Shape shape, RandomOptions options) { return random(Op::RandomUniform, graph, std::move(shape), options); }
Tensor random_normal(Graph& graph, Shape shape, RandomOptions options) { return random(Op::RandomNormal, graph, std::move(shape), options); }
Tensor random_gumbel(Graph& graph, Shape shape, RandomOptions options) { return random(Op::RandomGumbel, graph, std::move(shape), options); }

}  // namespace heed
