// Neural-network ops (softmax family, layer norm, embedding, cross-entropy and the composites
// built from them), their dedicated backward ops, and their VJPs. Attention has its own file.
#include "vjp.hpp"

#include <heed/error.hpp>

namespace heed {

namespace {

void expect_rows(std::string_view op, const Tensor& x) {
  detail::expect_dtype(op, x, f32);
  if (x.rank() < 1) fail("{}: needs at least one axis, got {}", op, describe(x));
}

void expect_same_shape(std::string_view op, const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) fail("{}: shapes differ: {} and {}", op, describe(a), describe(b));
}

void expect_vector(std::string_view op, std::string_view what, const Tensor& v, int64_t size) {
  detail::expect_dtype(op, v, f32);
  if (v.shape() != Shape{size}) fail("{}: {} must have shape [{}], got {}", op, what, size, describe(v));
}

void expect_targets(std::string_view op, const Tensor& logits, const Tensor& targets) {
  expect_rows(op, logits);
  detail::expect_dtype(op, targets, i32);
  Shape rows(logits.shape().begin(), logits.shape().end() - 1);
  if (targets.shape() != rows)
    fail("{}: targets must have the logits' shape without its last axis, {}; got logits {} and targets {}", op,
         shape_string(rows), describe(logits), describe(targets));
}

Tensor row_op(Op op, Tensor x) {
  expect_rows(op_name(op), x);
  return x.graph().add_node(op, f32, x.shape(), {x});
}

}  // namespace

Tensor masked_fill(Tensor x, Tensor mask, double value) {
  return where(mask, x, full(x.graph(), {}, value, x.dtype()));
}

Tensor softmax(Tensor x, Tensor mask) { return row_op(Op::Softmax, mask ? masked_fill(x, mask, masked_logit) : x); }
Tensor log_softmax(Tensor x, Tensor mask) { return row_op(Op::LogSoftmax, mask ? masked_fill(x, mask, masked_logit) : x); }

Tensor layer_norm(Tensor x, Tensor weight, Tensor bias, double eps) {
  expect_rows("layer_norm", x);
  if (eps <= 0) fail("layer_norm: eps must be positive, got {}", eps);
  if (!weight && bias) return layer_norm(x, {}, {}, eps) + bias;
  std::vector<Tensor> inputs{x};
  if (weight) {
    expect_vector("layer_norm", "weight", weight, x.dim(-1));
    inputs.push_back(weight);
  }
  if (bias) {
    expect_vector("layer_norm", "bias", bias, x.dim(-1));
    inputs.push_back(bias);
  }
  Attributes attrs;
  attrs.value = eps;
  return x.graph().add_node(Op::LayerNorm, f32, x.shape(), std::move(inputs), attrs);
}

Tensor embedding(Tensor weight, Tensor indices) {
  detail::expect_dtype("embedding", weight, f32);
  detail::expect_dtype("embedding", indices, i32);
  if (weight.rank() != 2) fail("embedding: the table must be [rows, width], got {}", describe(weight));
  Shape shape = indices.shape();
  shape.push_back(weight.dim(1));
  return weight.graph().add_node(Op::Embedding, f32, std::move(shape), {weight, indices});
}

Tensor cross_entropy(Tensor logits, Tensor targets, int64_t ignore_index) {
  expect_targets("cross_entropy", logits, targets);
  Attributes attrs;
  attrs.ignore_index = ignore_index;
  return logits.graph().add_node(Op::CrossEntropy, f32, {}, {logits, targets}, attrs);
}

Tensor counted_targets(Tensor targets, int64_t ignore_index) {
  detail::expect_dtype("counted_targets", targets, i32);
  return sum(not_equal(targets, scalar(targets.graph(), static_cast<double>(ignore_index), i32)));
}

Tensor dropout(Tensor x, double p, bool training) {
  if (p < 0 || p >= 1) fail("dropout: p must be in [0, 1), got {}", p);
  if (!training || p == 0) return x;
  Graph& graph = x.graph();
  Tensor keep = greater_equal(random_uniform(graph, x.shape(), {.seed = std::nullopt, .counter = graph.random_counter()}), scalar(graph, p));
  return x * keep * (1.0 / (1.0 - p));
}

Tensor one_hot(Tensor indices, int64_t classes) {
  detail::expect_dtype("one_hot", indices, i32);
  if (classes <= 0) fail("one_hot: classes must be positive, got {}", classes);
  return equal(unsqueeze(indices, -1), arange(indices.graph(), classes, 0, 1, i32));
}

Tensor softmax_backward(Tensor y, Tensor dy) {
  expect_rows("softmax_backward", y);
  expect_same_shape("softmax_backward", y, dy);
  return y.graph().add_node(Op::SoftmaxBackward, f32, y.shape(), {y, dy});
}

Tensor log_softmax_backward(Tensor y, Tensor dy) {
  expect_rows("log_softmax_backward", y);
  expect_same_shape("log_softmax_backward", y, dy);
  return y.graph().add_node(Op::LogSoftmaxBackward, f32, y.shape(), {y, dy});
}

Tensor layer_norm_backward(Tensor x, Tensor dy, Tensor weight, double eps) {
  expect_rows("layer_norm_backward", x);
  expect_same_shape("layer_norm_backward", x, dy);
  std::vector<Tensor> inputs{x, dy};
  if (weight) {
    expect_vector("layer_norm_backward", "weight", weight, x.dim(-1));
    inputs.push_back(weight);
  }
  Attributes attrs;
  attrs.value = eps;
  return x.graph().add_node(Op::LayerNormBackward, f32, x.shape(), std::move(inputs), attrs);
}

Tensor embedding_backward(Tensor dy, Tensor indices, int64_t rows) {
  detail::expect_dtype("embedding_backward", dy, f32);
  detail::expect_dtype("embedding_backward", indices, i32);
  Shape expected = indices.shape();
  if (dy.rank() != indices.rank() + 1 || !std::equal(expected.begin(), expected.end(), dy.shape().begin()))
    fail("embedding_backward: dy {} does not match indices {}", describe(dy), describe(indices));
  Attributes attrs;
  attrs.rows = rows;
  return dy.graph().add_node(Op::EmbeddingBackward, f32, {rows, dy.dim(-1)}, {dy, indices}, attrs);
}

Tensor cross_entropy_backward(Tensor logits, Tensor targets, Tensor dloss, int64_t ignore_index) {
  expect_targets("cross_entropy_backward", logits, targets);
  detail::expect_dtype("cross_entropy_backward", dloss, f32);
  if (dloss.rank() != 0) fail("cross_entropy_backward: dloss must be a scalar, got {}", describe(dloss));
  Attributes attrs;
  attrs.ignore_index = ignore_index;
  return logits.graph().add_node(Op::CrossEntropyBackward, f32, logits.shape(), {logits, targets, dloss}, attrs);
}

Tensor gelu_backward(Tensor x, Tensor dy) {
  detail::expect_dtype("gelu_backward", x, f32);
  expect_same_shape("gelu_backward", x, dy);
  return x.graph().add_node(Op::GeluBackward, f32, x.shape(), {x, dy});
}

namespace vjp {

using detail::input;

std::vector<Tensor> softmax(Graph&, const Node&, Tensor output, Tensor grad) { return {softmax_backward(output, grad)}; }
std::vector<Tensor> log_softmax(Graph&, const Node&, Tensor output, Tensor grad) { return {log_softmax_backward(output, grad)}; }

std::vector<Tensor> layer_norm(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor x = input(graph, node, 0);
  Tensor weight = node.inputs.size() > 1 ? input(graph, node, 1) : Tensor{};
  std::vector<Tensor> grads{layer_norm_backward(x, grad, weight, node.attrs.value)};
  if (weight) grads.push_back(sum_to(grad * heed::layer_norm(x, {}, {}, node.attrs.value), weight.shape()));
  if (node.inputs.size() > 2) grads.push_back(sum_to(grad, input(graph, node, 2).shape()));
  return grads;
}

std::vector<Tensor> embedding(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor weight = input(graph, node, 0);
  return {embedding_backward(grad, input(graph, node, 1), weight.dim(0)), Tensor{}};
}

std::vector<Tensor> cross_entropy(Graph& graph, const Node& node, Tensor, Tensor grad) {
  return {cross_entropy_backward(input(graph, node, 0), input(graph, node, 1), grad, node.attrs.ignore_index), Tensor{}};
}

}  // namespace vjp

}  // namespace heed
