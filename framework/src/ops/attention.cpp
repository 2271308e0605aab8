// Scaled dot-product attention: the fused op (Op::Attention) with its dedicated backward op and
// VJP, and the unfused composite it replaces, which stays as the reference the fused op is
// tested against and as the way to get the attention weights.
#include "vjp.hpp"

#include <heed/error.hpp>

#include <cmath>

namespace heed {

namespace {

Shape leading(const Tensor& x) { return Shape(x.shape().begin(), x.shape().end() - 2); }

// The checks both fused ops share: q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] in f32 with
// identical leading axes (a kernel walks one batch index over all three), and a mask that
// broadcasts to the scores [..., Tq, Tk] without enlarging them.
void expect_attention_inputs(std::string_view op, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask) {
  for (const Tensor* x : {&q, &k, &v}) detail::expect_dtype(op, *x, f32);
  if (q.rank() < 2 || k.rank() != q.rank() || v.rank() != q.rank())
    fail("{}: q, k, v need the same rank >= 2, got {}, {}, {}", op, describe(q), describe(k), describe(v));
  if (leading(k) != leading(q) || leading(v) != leading(q))
    fail("{}: q, k, v need identical leading (batch) axes, got {}, {}, {}", op, describe(q), describe(k), describe(v));
  if (k.dim(-1) != q.dim(-1)) fail("{}: q and k differ in width: {} and {}", op, describe(q), describe(k));
  if (k.dim(-2) != v.dim(-2)) fail("{}: k and v differ in length: {} and {}", op, describe(k), describe(v));
  if (k.dim(-2) == 0 || q.dim(-1) == 0) fail("{}: needs at least one key and a non-empty width, got q {} and k {}", op, describe(q), describe(k));
  if (!mask) return;
  if (mask.dtype() != f32 && mask.dtype() != i32) fail("{}: the mask must be f32 or i32, got {}", op, describe(mask));
  Shape scores = leading(q);
  scores.push_back(q.dim(-2));
  scores.push_back(k.dim(-2));
  if (!broadcasts_to(mask.shape(), scores))
    fail("{}: the mask {} does not broadcast to the scores {}", op, describe(mask), shape_string(scores));
}

double default_scale(const Tensor& q) { return 1.0 / std::sqrt(static_cast<double>(q.dim(-1))); }

// Op::Attention over separate q, k, v with identical leading axes.
Tensor fused_attention(Tensor q, Tensor k, Tensor v, Tensor mask, bool causal, std::optional<double> scale) {
  expect_attention_inputs("attention", q, k, v, mask);
  Attributes attrs;
  attrs.value = scale.value_or(default_scale(q));
  attrs.causal = causal;
  Shape shape = q.shape();
  shape.back() = v.dim(-1);
  std::vector<Tensor> inputs{q, k, v};
  if (mask) inputs.push_back(mask);
  return q.graph().add_node(Op::Attention, f32, std::move(shape), std::move(inputs), attrs);
}

// The statistics an AttentionBackward reads: one f32 per query row of every problem.
void expect_statistics(std::string_view op, const Tensor& statistics, const Shape& expected) {
  detail::expect_dtype(op, statistics, f32);
  if (statistics.shape() != expected)
    fail("{}: the statistics must be attention_statistics' shape {}, got {}", op, shape_string(expected), describe(statistics));
}

}  // namespace

Tensor attention_statistics(Tensor attention) {
  const Node& node = attention.graph().node(attention.id());
  if (node.op != Op::Attention)
    fail("attention_statistics: needs the output of a fused attention (scaled_dot_product_attention or packed_attention), got {}",
         describe_node(attention.graph(), node));
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i) inputs.push_back(detail::input(attention.graph(), node, i));
  Shape shape = node.shape;
  if (node.attrs.heads > 0) {  // [..., T, H * D] -> [..., H, T]
    shape.back() = shape[shape.size() - 2];
    shape[shape.size() - 2] = node.attrs.heads;
  } else {
    shape.pop_back();
  }
  return attention.graph().add_node(Op::AttentionStatistics, f32, std::move(shape), std::move(inputs), node.attrs);
}

Tensor attention_backward(Tensor q, Tensor k, Tensor v, Tensor output, Tensor doutput, Tensor statistics, Tensor mask, bool causal,
                          double scale) {
  expect_attention_inputs("attention_backward", q, k, v, mask);
  Shape expected = q.shape();
  expected.back() = v.dim(-1);
  for (const Tensor* x : {&output, &doutput}) {
    detail::expect_dtype("attention_backward", *x, f32);
    if (x->shape() != expected)
      fail("attention_backward: o and do must have the output's shape {}, got {} and {}", shape_string(expected), describe(output),
           describe(doutput));
  }
  expect_statistics("attention_backward", statistics, Shape(q.shape().begin(), q.shape().end() - 1));
  Attributes attrs;
  attrs.value = scale;
  attrs.causal = causal;
  // Per batch element, dq (Tq x D), dk (Tk x D) and dv (Tk x Dv) one after the other.
  Shape shape = leading(q);
  shape.push_back(q.dim(-2) * q.dim(-1) + k.dim(-2) * k.dim(-1) + v.dim(-2) * v.dim(-1));
  std::vector<Tensor> inputs{q, k, v, output, doutput, statistics};
  if (mask) inputs.push_back(mask);
  return q.graph().add_node(Op::AttentionBackward, f32, std::move(shape), std::move(inputs), attrs);
}

namespace {

// qkv [..., T, 3 * heads * D] in f32 with T, D > 0, and a mask broadcasting to [..., heads, T, T].
void expect_packed_inputs(std::string_view op, const Tensor& qkv, int64_t heads, const Tensor& mask) {
  detail::expect_dtype(op, qkv, f32);
  if (heads <= 0) fail("{}: needs a positive number of heads, got {}", op, heads);
  if (qkv.rank() < 2 || qkv.dim(-1) == 0 || qkv.dim(-1) % (3 * heads) != 0 || qkv.dim(-2) == 0)
    fail("{}: qkv must be [..., T > 0, 3 * heads * D] with D > 0; got {} for {} heads", op, describe(qkv), heads);
  if (!mask) return;
  if (mask.dtype() != f32 && mask.dtype() != i32) fail("{}: the mask must be f32 or i32, got {}", op, describe(mask));
  Shape scores = leading(qkv);
  scores.insert(scores.end(), {heads, qkv.dim(-2), qkv.dim(-2)});
  if (!broadcasts_to(mask.shape(), scores))
    fail("{}: the mask {} does not broadcast to the scores {}", op, describe(mask), shape_string(scores));
}

Attributes packed_attributes(int64_t heads, bool causal, double scale) {
  Attributes attrs;
  attrs.value = scale;
  attrs.causal = causal;
  attrs.heads = heads;
  return attrs;
}

}  // namespace

Tensor packed_attention(Tensor qkv, int64_t heads, const AttentionSettings& settings) {
  const auto& [mask, causal, scale, fused] = settings;
  if (!fused) fail("packed_attention: runs fused only; split the heads and call scaled_dot_product_attention for the unfused graph");
  expect_packed_inputs("packed_attention", qkv, heads, mask);
  const int64_t head_width = qkv.dim(-1) / (3 * heads);
  Shape shape = qkv.shape();
  shape.back() = heads * head_width;
  std::vector<Tensor> inputs{qkv};
  if (mask) inputs.push_back(mask);
  const double chosen = scale.value_or(1.0 / std::sqrt(static_cast<double>(head_width)));
  return qkv.graph().add_node(Op::Attention, f32, std::move(shape), std::move(inputs), packed_attributes(heads, causal, chosen));
}

Tensor packed_attention_backward(Tensor qkv, int64_t heads, Tensor output, Tensor doutput, Tensor statistics, Tensor mask, bool causal,
                                 double scale) {
  expect_packed_inputs("packed_attention_backward", qkv, heads, mask);
  Shape expected = qkv.shape();
  expected.back() = qkv.dim(-1) / 3;
  for (const Tensor* x : {&output, &doutput}) {
    detail::expect_dtype("packed_attention_backward", *x, f32);
    if (x->shape() != expected)
      fail("packed_attention_backward: o and do must have the output's shape {}, got {} and {}", shape_string(expected), describe(output),
           describe(doutput));
  }
  Shape rows = leading(qkv);
  rows.insert(rows.end(), {heads, qkv.dim(-2)});
  expect_statistics("packed_attention_backward", statistics, rows);
  std::vector<Tensor> inputs{qkv, output, doutput, statistics};
  if (mask) inputs.push_back(mask);
  return qkv.graph().add_node(Op::AttentionBackward, f32, qkv.shape(), std::move(inputs), packed_attributes(heads, causal, scale));
}

namespace {

void expect_composite_inputs(const Tensor& q, const Tensor& k, const Tensor& v) {
  if (q.rank() < 2 || k.rank() < 2 || v.rank() < 2)
    fail("scaled_dot_product_attention: q, k, v need rank >= 2, got {}, {}, {}", describe(q), describe(k), describe(v));
  if (k.dim(-2) != v.dim(-2))
    fail("scaled_dot_product_attention: k and v differ in length: {} and {}", describe(k), describe(v));
}

// softmax of the masked, scaled scores: [..., Tq, Tk], the leading axes broadcast as matmul's.
// The causal mask and the fill are built before the scores, so that nothing is scheduled between
// the scores' scaling and the softmax: a backend may then run those as one kernel at the softmax
// while the scores are still intact (heed/backend/masked_softmax_pattern.hpp).
Tensor attention_weights(Tensor q, Tensor k, Tensor mask, bool causal, std::optional<double> scale) {
  Graph& graph = q.graph();
  Tensor visible;
  if (causal) {
    int64_t queries = q.dim(-2), keys = k.dim(-2);
    // Query i sees keys j <= i + (keys - queries): the queries are the last ones of the sequence.
    Tensor key_position = reshape(arange(graph, keys, 0, 1, i32), {1, keys});
    Tensor query_position = reshape(arange(graph, queries, static_cast<double>(keys - queries), 1, i32), {queries, 1});
    visible = less_equal(key_position, query_position);
  }
  Tensor fill = full(graph, {}, masked_logit, f32);
  Tensor scores = matmul(q, k, false, true) * scale.value_or(default_scale(q));
  if (mask) scores = where(mask, scores, fill);
  if (causal) scores = where(visible, scores, fill);
  return softmax(scores);
}

// x with its leading axes broadcast to `batch` (the fused op needs them identical).
Tensor with_leading(Tensor x, const Shape& batch) {
  if (leading(x) == batch) return x;
  Shape shape = batch;
  shape.push_back(x.dim(-2));
  shape.push_back(x.dim(-1));
  return broadcast(x, shape);
}

}  // namespace

Attention scaled_dot_product_attention(Tensor q, Tensor k, Tensor v, const AttentionSettings& settings) {
  const auto& [mask, causal, scale, fused] = settings;
  expect_composite_inputs(q, k, v);
  if (!fused) {
    Tensor weights = attention_weights(q, k, mask, causal, scale);
    return {matmul(weights, v), weights};
  }
  // The composite lets the leading axes broadcast (matmul does); the fused op reads one batch
  // index for all three, so they are made identical first.
  Shape batch = broadcast_shapes(broadcast_shapes(leading(q), leading(k), "scaled_dot_product_attention"), leading(v),
                                 "scaled_dot_product_attention");
  Tensor output = fused_attention(with_leading(q, batch), with_leading(k, batch), with_leading(v, batch), mask, causal, scale);
  // The weights are nodes of their own: the planner schedules them only when something reads
  // them (an attention map), so training and inference never hold [Tq, Tk] scores.
  return {output, attention_weights(q, k, mask, causal, scale)};
}

namespace vjp {

// One AttentionBackward node gives all three gradients: for separate q, k, v packed along its
// last axis and sliced apart here, for a packed qkv in qkv's own layout. The mask gets none. The
// rows' statistics are a value of their own, which the planner schedules beside the forward, so
// a backend can have the forward's kernel write them instead of computing every score again.
std::vector<Tensor> attention(Graph& graph, const Node& node, Tensor output, Tensor grad) {
  Tensor statistics = attention_statistics(output);
  if (node.attrs.heads > 0) {  // packed: the backward gives dqkv whole
    Tensor qkv = detail::input(graph, node, 0);
    Tensor mask = node.inputs.size() > 1 ? detail::input(graph, node, 1) : Tensor{};
    std::vector<Tensor> grads{
        packed_attention_backward(qkv, node.attrs.heads, output, grad, statistics, mask, node.attrs.causal, node.attrs.value)};
    if (mask) grads.emplace_back();
    return grads;
  }
  Tensor q = detail::input(graph, node, 0), k = detail::input(graph, node, 1), v = detail::input(graph, node, 2);
  Tensor mask = node.inputs.size() > 3 ? detail::input(graph, node, 3) : Tensor{};
  Tensor packed = attention_backward(q, k, v, output, grad, statistics, mask, node.attrs.causal, node.attrs.value);
  const int64_t dq = q.dim(-2) * q.dim(-1), dk = k.dim(-2) * k.dim(-1), dv = v.dim(-2) * v.dim(-1);
  std::vector<Tensor> grads{reshape(slice(packed, -1, 0, dq), q.shape()), reshape(slice(packed, -1, dq, dq + dk), k.shape()),
                            reshape(slice(packed, -1, dq + dk, dq + dk + dv), v.shape())};
  if (mask) grads.emplace_back();
  return grads;
}

}  // namespace vjp

}  // namespace heed
