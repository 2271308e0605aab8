#pragma once
// The op set. Each op is declared once: its enum value here, its row in op_table.cpp (name,
// kind, VJP), its builder in framework/src/ops/<family>.cpp, its reference kernel in
// tests/reference/ and its kernel in every backend. The README's contributor notes list the files.
#include <heed/shape.hpp>

#include <cstdint>
#include <span>
#include <string_view>

namespace heed {

enum class Op : uint8_t {
  // Leaves: values that come from outside the computation.
  Parameter,  // trainable, persistent on the device
  State,      // persistent, not trainable (optimiser moments, counters)
  Input,      // fed by the host at every run
  Constant,   // values fixed at build time
  // Creation.
  Full,
  Arange,
  RandomUniform,  // inputs: optional i32 counter; attrs: seed
  RandomNormal,
  RandomGumbel,
  // Elementwise, one input.
  Neg,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Tanh,
  Sigmoid,
  Relu,
  Gelu,
  Cast,  // attrs: to
  // Elementwise, two inputs with numpy broadcasting.
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Equal,  // comparisons give f32 1 or 0
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Where,  // three inputs: condition (non-zero is true), then, otherwise
  // Reductions over attrs.axes.
  Sum,
  Max,
  Argmax,  // one axis, gives i32
  // Shape.
  Reshape,
  Permute,  // attrs.axes is the permutation
  Slice,    // attrs.axis, begin, end (step 1)
  Concat,   // attrs.axis, any number of inputs
  Broadcast,
  StopGradient,  // the same values, no gradient: an alias, like Reshape
  // Linear algebra: [..., m, k] x [..., k, n] with broadcast batch dims and optional transposes.
  Matmul,
  // Neural network ops over the last axis.
  Softmax,
  LogSoftmax,
  LayerNorm,     // inputs: x, optional weight, optional bias; attrs: eps
  Embedding,     // inputs: weight [V, D], indices i32
  CrossEntropy,  // inputs: logits [..., C], targets i32 [...]; attrs: ignore_index; mean over counted
  Attention,     // inputs: q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv] or, with attrs.heads, one packed qkv; optional mask; attrs: value = scale, causal
  AttentionStatistics,  // Attention's inputs and attributes; gives each row's logsumexp of the scores, [..., (H,) Tq]
  // Dedicated backward ops, emitted by VJPs where composing primitives would be slow or unstable.
  SoftmaxBackward,       // inputs: y, dy
  LogSoftmaxBackward,    // inputs: y, dy
  LayerNormBackward,     // inputs: x, dy, optional weight; gives dx
  EmbeddingBackward,     // inputs: dy, indices; attrs: rows; deterministic scatter-add
  CrossEntropyBackward,  // inputs: logits, targets, dloss (scalar)
  GeluBackward,          // inputs: x, dy
  AttentionBackward,     // inputs: q, k, v (or qkv), o, do, the statistics, optional mask; gives dq, dk, dv packed along the last axis
  // Collectives between the ranks of a data-parallel job (CompileOptions::communicator).
  AllReduce,  // input: f32 values; gives their element-wise sum over the ranks (one rank: the values)
  // Effects: they write persistent values in place and run after every other node, in order.
  SgdUpdate,    // inputs: param, grad, velocity, hyper [lr, momentum, weight_decay]
  AdamWUpdate,  // inputs: param, grad, m, v, hyper [lr, beta1, beta2, eps, weight_decay, step]
  Assign,       // inputs: target (persistent), value
  Count_
};

inline constexpr int op_count = static_cast<int>(Op::Count_);

// Attributes of a node; each op reads the fields its row documents and ignores the rest.
struct Attributes {
  std::vector<int64_t> axes;  // Sum, Max: reduced axes; Permute: the permutation
  int64_t axis = 0;           // Argmax, Slice, Concat
  int64_t begin = 0, end = 0;  // Slice
  double value = 0;           // Full: the value; Arange: start; LayerNorm: eps; Attention: scale
  double step = 1;            // Arange
  bool keep_dims = false;     // Sum, Max, Argmax
  bool transpose_a = false, transpose_b = false;  // Matmul
  int64_t ignore_index = -100;  // CrossEntropy
  bool causal = false;        // Attention and its statistics and backward: query i sees keys j <= i + (Tk - Tq)
  int64_t heads = 0;          // the same: 0, q, k, v apart; else their heads packed in one input
  int64_t rows = 0;           // EmbeddingBackward: the embedding table's row count
  uint32_t seed = 0;          // random ops
  DType to = f32;             // Cast

  bool operator==(const Attributes&) const = default;
};

class Graph;
struct Node;
class Tensor;

// Appends to the graph the gradients of a node's inputs given the gradient of its output;
// returns one entry per input, an empty Tensor where the input gets no gradient.
using VjpFunction = std::vector<Tensor> (*)(Graph& graph, const Node& node, Tensor output, Tensor grad);

struct OpInfo {
  std::string_view name;
  VjpFunction vjp;  // null: not differentiable (its inputs get no gradient), but for slice (autodiff.cpp)
  int code;         // the elementwise op's number for kernels (heed/backend/op_codes.hpp), else HEED_OP_NO_CODE
  bool effect;      // writes a persistent value instead of producing one
};

const OpInfo& op_info(Op op);
std::string_view op_name(Op op);
bool is_effect(Op op);
bool is_persistent(Op op);  // Parameter or State

}  // namespace heed
