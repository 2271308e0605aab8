#pragma once
// Op builders: each checks its inputs' shapes and dtypes, throws heed::Error naming the op and the
// shapes when they do not fit, and appends one node (or a few, for composite ops) to the graph.
// Elementwise ops broadcast as numpy does. Axes may be negative.
#include <heed/graph.hpp>

namespace heed {

// Creation.
Tensor full(Graph& graph, Shape shape, double value, DType dtype = f32);
Tensor zeros_like(Tensor x);
Tensor ones_like(Tensor x);
Tensor scalar(Graph& graph, double value, DType dtype = f32);
Tensor arange(Graph& graph, int64_t count, double start = 0, double step = 1, DType dtype = i32);

// Random values, counter-based: element i of a stream is a pure function of (seed, counter, i), so
// every backend and thread count gives the same bits. Without a counter the values are the same
// at every run; with graph.random_counter() they change each step.
struct RandomOptions {
  std::optional<uint32_t> seed;  // default: graph.next_seed()
  Tensor counter;                // i32 scalar, optional
};
Tensor random_uniform(Graph& graph, Shape shape, RandomOptions options = {});  // [0, 1)
Tensor random_normal(Graph& graph, Shape shape, RandomOptions options = {});   // mean 0, std 1
Tensor random_gumbel(Graph& graph, Shape shape, RandomOptions options = {});   // standard Gumbel

// Elementwise.
Tensor neg(Tensor x);
Tensor exp(Tensor x);
Tensor log(Tensor x);
Tensor sqrt(Tensor x);
Tensor rsqrt(Tensor x);
Tensor tanh(Tensor x);
Tensor sigmoid(Tensor x);
Tensor relu(Tensor x);
Tensor gelu(Tensor x);  // exact: 0.5 x (1 + erf(x / sqrt 2))
Tensor cast(Tensor x, DType to);

Tensor add(Tensor a, Tensor b);
Tensor sub(Tensor a, Tensor b);
Tensor mul(Tensor a, Tensor b);
Tensor div(Tensor a, Tensor b);
Tensor pow(Tensor a, Tensor b);
Tensor equal(Tensor a, Tensor b);
Tensor not_equal(Tensor a, Tensor b);
Tensor less(Tensor a, Tensor b);
Tensor less_equal(Tensor a, Tensor b);
Tensor greater(Tensor a, Tensor b);
Tensor greater_equal(Tensor a, Tensor b);
Tensor where(Tensor condition, Tensor then, Tensor otherwise);

Tensor operator+(Tensor a, Tensor b);
Tensor operator-(Tensor a, Tensor b);
Tensor operator*(Tensor a, Tensor b);
Tensor operator/(Tensor a, Tensor b);
Tensor operator-(Tensor x);
Tensor operator+(Tensor a, double b);
Tensor operator-(Tensor a, double b);
Tensor operator*(Tensor a, double b);
Tensor operator/(Tensor a, double b);
Tensor operator+(double a, Tensor b);
Tensor operator-(double a, Tensor b);
Tensor operator*(double a, Tensor b);
Tensor operator/(double a, Tensor b);

// Reductions. An empty axes list reduces over every axis.
Tensor sum(Tensor x, std::vector<int64_t> axes = {}, bool keep_dims = false);
Tensor mean(Tensor x, std::vector<int64_t> axes = {}, bool keep_dims = false);
Tensor max(Tensor x, std::vector<int64_t> axes = {}, bool keep_dims = false);
Tensor argmax(Tensor x, int64_t axis = -1, bool keep_dims = false);

// Shape. reshape accepts one -1.
Tensor reshape(Tensor x, Shape shape);
Tensor permute(Tensor x, std::vector<int64_t> order);
Tensor transpose(Tensor x, int64_t axis_a = -2, int64_t axis_b = -1);
Tensor slice(Tensor x, int64_t axis, int64_t begin, int64_t end);
Tensor concat(std::vector<Tensor> parts, int64_t axis);
Tensor broadcast(Tensor x, Shape shape);  // numpy rules: may add leading axes and stretch size-1 axes (PyTorch's expand)
Tensor unsqueeze(Tensor x, int64_t axis);
Tensor squeeze(Tensor x, int64_t axis);
// The same values with no gradient flowing back (straight-through estimators, targets).
Tensor stop_gradient(Tensor x);
// Sums a broadcast result back down to `shape` (the gradient of broadcast).
Tensor sum_to(Tensor x, const Shape& shape);

// Linear algebra.
Tensor matmul(Tensor a, Tensor b, bool transpose_a = false, bool transpose_b = false);

// Neural network ops. Softmax-like ops and layer_norm work over the last axis. A mask is any
// tensor that broadcasts to x: non-zero keeps a position, zero removes it (masked logits become
// -1e30, so a fully masked row gives a uniform distribution instead of NaN).
inline constexpr double masked_logit = -1e30;
Tensor softmax(Tensor x, Tensor mask = {});
Tensor log_softmax(Tensor x, Tensor mask = {});
Tensor masked_fill(Tensor x, Tensor mask, double value);  // where mask is zero, value
Tensor layer_norm(Tensor x, Tensor weight = {}, Tensor bias = {}, double eps = 1e-5);
Tensor embedding(Tensor weight, Tensor indices);
Tensor cross_entropy(Tensor logits, Tensor targets, int64_t ignore_index = -100);
// How many targets cross_entropy(logits, targets, ignore_index) is the mean over, as an f32
// scalar: its weight among the ranks of data-parallel training (Optimizer::minimize_across_ranks).
Tensor counted_targets(Tensor targets, int64_t ignore_index = -100);
Tensor dropout(Tensor x, double p, bool training = true);  // draws from graph.random_counter()
Tensor one_hot(Tensor indices, int64_t classes);           // f32

// Attention of queries q [..., Tq, D] over keys k [..., Tk, D] and values v [..., Tk, Dv]:
// softmax(q k^T * scale) v over the last two axes, scale defaulting to 1 / sqrt(D). A score
// becomes masked_logit where the mask (broadcast to [..., Tq, Tk]) is zero and, when causal,
// where key j lies after query i + (Tk - Tq) (the queries are the last Tq of the sequence); a
// fully masked row therefore averages every value uniformly.
struct AttentionSettings {
  Tensor mask = {};  // f32 or i32
  bool causal = false;
  std::optional<double> scale = std::nullopt;
  // The fused op (Op::Attention): FlashAttention-style kernels, memory linear in the sequence
  // length. false: the same from primitive ops (matmul, masked_fill, softmax, matmul),
  // materialising the scores: the reference the fused op is tested against, and a graph whose
  // weights take part in the output's gradient.
  bool fused = true;
};
struct Attention {
  Tensor output;   // [..., Tq, Dv]
  Tensor weights;  // [..., Tq, Tk]
};
// The leading axes of q, k and v broadcast against each other. Fused, the weights are separate
// nodes that only run when something reads them, so a model that does not ask for them never
// holds [Tq, Tk] scores.
Attention scaled_dot_product_attention(Tensor q, Tensor k, Tensor v, const AttentionSettings& settings = {});
// Self-attention of q, k, v packed as one fused projection gives them (FlashAttention's
// qkvpacked layout): qkv [..., T, 3 * heads * D] holds q's heads, then k's, then v's, each head
// D consecutive floats. Gives o [..., T, heads * D], the heads merged the same way; the mask
// broadcasts to [..., heads, T, T]. The same as scaled_dot_product_attention on the heads split
// into [..., heads, T, D], without a copy to split them or to merge the output (Op::Attention
// with attrs.heads); always fused.
Tensor packed_attention(Tensor qkv, int64_t heads, const AttentionSettings& settings = {});

// Dedicated backward ops (VJPs emit them; exposed for tests and fused kernels).
Tensor softmax_backward(Tensor y, Tensor dy);
Tensor log_softmax_backward(Tensor y, Tensor dy);
Tensor layer_norm_backward(Tensor x, Tensor dy, Tensor weight, double eps);
Tensor embedding_backward(Tensor dy, Tensor indices, int64_t rows);
Tensor cross_entropy_backward(Tensor logits, Tensor targets, Tensor dloss, int64_t ignore_index);
Tensor gelu_backward(Tensor x, Tensor dy);
// Each query row's logsumexp of the masked, scaled scores of the fused attention that gave
// `attention`: [..., Tq], or [..., H, T] when packed. The backward reads them.
Tensor attention_statistics(Tensor attention);
// dq, dk, dv of the fused attention of q, k, v (identical leading axes) given its output o, do and
// its statistics, packed per batch element along the last axis: [..., Tq * D + Tk * D + Tk * Dv].
Tensor attention_backward(Tensor q, Tensor k, Tensor v, Tensor output, Tensor doutput, Tensor statistics, Tensor mask, bool causal,
                          double scale);
// dqkv of packed_attention(qkv, heads, settings) given its output o, do and statistics: qkv's shape.
Tensor packed_attention_backward(Tensor qkv, int64_t heads, Tensor output, Tensor doutput, Tensor statistics, Tensor mask, bool causal,
                                 double scale);

// The element-wise sum of f32 values over the ranks of a data-parallel job, the same on every
// rank: the communicator a program was compiled with (CompileOptions::communicator) does the
// reduction; without one there is one rank and the values pass unchanged. Its VJP is itself.
// Data-parallel training uses it through mean_over_ranks (heed/data_parallel.hpp).
Tensor all_reduce(Tensor x);

// Effects: in-place writes of persistent values, run after everything else in creation order.
void assign(Tensor target, Tensor value);
void sgd_update(Tensor param, Tensor grad, Tensor velocity, Tensor hyper);
void adamw_update(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor hyper);

}  // namespace heed
