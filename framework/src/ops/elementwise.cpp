// Elementwise ops (numpy broadcasting) and their VJPs.
#include "vjp.hpp"

#include <heed/error.hpp>

namespace heed {

namespace {

Tensor unary(Op op, Tensor x) {
  detail::expect_dtype(op_name(op), x, f32);
  return x.graph().add_node(op, f32, x.shape(), {x});
}

bool is_comparison(Op op) {
  return op == Op::Equal || op == Op::NotEqual || op == Op::Less || op == Op::LessEqual || op == Op::Greater ||
         op == Op::GreaterEqual;
}

Tensor binary(Op op, Tensor a, Tensor b) {
  if (&a.graph() != &b.graph()) fail("{}: inputs {} and {} belong to different graphs", op_name(op), describe(a), describe(b));
  detail::expect_same_dtype(op_name(op), a, b);
  if ((op == Op::Div || op == Op::Pow) && a.dtype() != f32) fail("{}: expects f32 inputs, got {} and {}", op_name(op), describe(a), describe(b));
  Shape shape = broadcast_shapes(a.shape(), b.shape(), op_name(op));
  return a.graph().add_node(op, is_comparison(op) ? f32 : a.dtype(), std::move(shape), {a, b});
}

Tensor like(Tensor x, double value) { return full(x.graph(), {}, value, x.dtype()); }

}  // namespace

Tensor neg(Tensor x) {
  if (x.dtype() == i32) return mul(x, like(x, -1));
  return unary(Op::Neg, x);
}
Tensor exp(Tensor x) { return unary(Op::Exp, x); }
Tensor log(Tensor x) { return unary(Op::Log, x); }
Tensor sqrt(Tensor x) { return unary(Op::Sqrt, x); }
Tensor rsqrt(Tensor x) { return unary(Op::Rsqrt, x); }
Tensor tanh(Tensor x) { return unary(Op::Tanh, x); }
Tensor sigmoid(Tensor x) { return unary(Op::Sigmoid, x); }
Tensor relu(Tensor x) { return unary(Op::Relu, x); }
Tensor gelu(Tensor x) { return unary(Op::Gelu, x); }

Tensor cast(Tensor x, DType to) {
  if (x.dtype() == to) return x;
  Attributes attrs;
  attrs.to = to;
  return x.graph().add_node(Op::Cast, to, x.shape(), {x}, attrs);
}

Tensor add(Tensor a, Tensor b) { return binary(Op::Add, a, b); }
Tensor sub(Tensor a, Tensor b) { return binary(Op::Sub, a, b); }
Tensor mul(Tensor a, Tensor b) { return binary(Op::Mul, a, b); }
Tensor div(Tensor a, Tensor b) { return binary(Op::Div, a, b); }
Tensor pow(Tensor a, Tensor b) { return binary(Op::Pow, a, b); }
Tensor equal(Tensor a, Tensor b) { return binary(Op::Equal, a, b); }
Tensor not_equal(Tensor a, Tensor b) { return binary(Op::NotEqual, a, b); }
Tensor less(Tensor a, Tensor b) { return binary(Op::Less, a, b); }
Tensor less_equal(Tensor a, Tensor b) { return binary(Op::LessEqual, a, b); }
Tensor greater(Tensor a, Tensor b) { return binary(Op::Greater, a, b); }
Tensor greater_equal(Tensor a, Tensor b) { return binary(Op::GreaterEqual, a, b); }

Tensor where(Tensor condition, Tensor then, Tensor otherwise) {
  if (&condition.graph() != &then.graph() || &then.graph() != &otherwise.graph())
    fail("where: inputs belong to different graphs");
  detail::expect_same_dtype("where", then, otherwise);
  Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), then.shape(), "where"), otherwise.shape(), "where");
  return then.graph().add_node(Op::Where, then.dtype(), std::move(shape), {condition, then, otherwise});
}

Tensor operator+(Tensor a, Tensor b) { return add(a, b); }
Tensor operator-(Tensor a, Tensor b) { return sub(a, b); }
Tensor operator*(Tensor a, Tensor b) { return mul(a, b); }
Tensor operator/(Tensor a, Tensor b) { return div(a, b); }
Tensor operator-(Tensor x) { return neg(x); }
Tensor operator+(Tensor a, double b) { return add(a, like(a, b)); }
Tensor operator-(Tensor a, double b) { return sub(a, like(a, b)); }
Tensor operator*(Tensor a, double b) { return mul(a, like(a, b)); }
Tensor operator/(Tensor a, double b) { return div(a, like(a, b)); }
Tensor operator+(double a, Tensor b) { return add(like(b, a), b); }
Tensor operator-(double a, Tensor b) { return sub(like(b, a), b); }
Tensor operator*(double a, Tensor b) { return mul(like(b, a), b); }
Tensor operator/(double a, Tensor b) { return div(like(b, a), b); }

namespace vjp {

using detail::input;

std::vector<Tensor> neg(Graph&, const Node&, Tensor, Tensor grad) { return {-grad}; }
// Rounding is flat almost everywhere, but a cast between float dtypes passes its gradient on
// the way a straight-through estimator does: cast back to the input's dtype. Whole numbers carry
// no gradient.
std::vector<Tensor> cast(Graph& graph, const Node& node, Tensor, Tensor grad) {
  const DType from = input(graph, node, 0).dtype();
  if (from == i32 || node.dtype == i32) return {};
  return {heed::cast(grad, from)};
}
std::vector<Tensor> exp(Graph&, const Node&, Tensor output, Tensor grad) { return {grad * output}; }
std::vector<Tensor> log(Graph& graph, const Node& node, Tensor, Tensor grad) { return {grad / input(graph, node, 0)}; }
std::vector<Tensor> sqrt(Graph&, const Node&, Tensor output, Tensor grad) { return {grad / (output * 2.0)}; }
std::vector<Tensor> rsqrt(Graph&, const Node&, Tensor output, Tensor grad) { return {grad * (output * output * output * -0.5)}; }
std::vector<Tensor> tanh(Graph&, const Node&, Tensor output, Tensor grad) { return {grad * (1.0 - output * output)}; }
std::vector<Tensor> sigmoid(Graph&, const Node&, Tensor output, Tensor grad) { return {grad * (output * (1.0 - output))}; }
std::vector<Tensor> relu(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor x = input(graph, node, 0);
  return {where(greater(x, scalar(graph, 0)), grad, scalar(graph, 0))};
}
std::vector<Tensor> gelu(Graph& graph, const Node& node, Tensor, Tensor grad) { return {gelu_backward(input(graph, node, 0), grad)}; }

std::vector<Tensor> add(Graph& graph, const Node& node, Tensor, Tensor grad) {
  return {sum_to(grad, input(graph, node, 0).shape()), sum_to(grad, input(graph, node, 1).shape())};
}
std::vector<Tensor> sub(Graph& graph, const Node& node, Tensor, Tensor grad) {
  return {sum_to(grad, input(graph, node, 0).shape()), sum_to(-grad, input(graph, node, 1).shape())};
}
std::vector<Tensor> mul(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor a = input(graph, node, 0), b = input(graph, node, 1);
  return {sum_to(grad * b, a.shape()), sum_to(grad * a, b.shape())};
}
std::vector<Tensor> div(Graph& graph, const Node& node, Tensor output, Tensor grad) {
  Tensor a = input(graph, node, 0), b = input(graph, node, 1);
  return {sum_to(grad / b, a.shape()), sum_to(-(grad * output) / b, b.shape())};
}
std::vector<Tensor> pow(Graph& graph, const Node& node, Tensor output, Tensor grad) {
  Tensor a = input(graph, node, 0), b = input(graph, node, 1);
  return {sum_to(grad * b * heed::pow(a, b - 1.0), a.shape()), sum_to(grad * output * heed::log(a), b.shape())};
}
std::vector<Tensor> where(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor condition = input(graph, node, 0), zero = full(graph, {}, 0, grad.dtype());
  return {Tensor{}, sum_to(heed::where(condition, grad, zero), input(graph, node, 1).shape()),
          sum_to(heed::where(condition, zero, grad), input(graph, node, 2).shape())};
}

}  // namespace vjp

}  // namespace heed
