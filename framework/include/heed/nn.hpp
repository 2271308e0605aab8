#pragma once
// Reusable modules. Each registers its parameters under PyTorch's state_dict names (prefix + "."
// + the PyTorch attribute name), so a checkpoint moves between heed and PyTorch unchanged.
// Initialisation follows PyTorch's defaults unless a module says otherwise.
#include <heed/graph.hpp>

namespace heed::nn {

// Host-side initial values, drawn from the graph's seeded generator.
HostTensor uniform(Graph& graph, Shape shape, double bound);  // U(-bound, bound)
HostTensor normal(Graph& graph, Shape shape, double std);     // N(0, std^2)
HostTensor filled(Shape shape, float value);

// y = x W^T + b, W [out, in]. Default init U(+-1/sqrt(in)); with normal_std > 0, W ~ N(0, std^2)
// and b = 0 (the Transformers' init).
class Linear {
 public:
  Linear() = default;
  Linear(Graph& graph, const std::string& name, int64_t in, int64_t out, bool bias = true, double normal_std = 0);
  Tensor operator()(Tensor x) const;
  Tensor weight, bias;
};

// Rows of weight [rows, width]; default init N(0, 1) as PyTorch, or N(0, normal_std^2).
class Embedding {
 public:
  Embedding() = default;
  Embedding(Graph& graph, const std::string& name, int64_t rows, int64_t width, double normal_std = 1);
  Tensor operator()(Tensor indices) const;
  Tensor weight;
};

class LayerNorm {
 public:
  LayerNorm() = default;
  LayerNorm(Graph& graph, const std::string& name, int64_t width, double eps = 1e-5);
  Tensor operator()(Tensor x) const;
  Tensor weight, bias;
  double eps = 1e-5;
};

struct LSTMState {
  Tensor h, c;  // [B, hidden] each
};

// One LSTM step; gates stacked i, f, g, o. Parameters weight_ih [4H, in], weight_hh [4H, H],
// bias_ih, bias_hh [4H], initialised U(+-1/sqrt(H)).
class LSTMCell {
 public:
  LSTMCell() = default;
  LSTMCell(Graph& graph, const std::string& name, int64_t in, int64_t hidden, const std::string& suffix = "");
  LSTMState operator()(Tensor x, LSTMState state) const;
  // The same step with the input projection x W_ih^T + b_ih + b_hh already computed ([B, 4H]).
  LSTMState step(Tensor projected_input, LSTMState state) const;
  Tensor project_input(Tensor x) const;  // [..., in] -> [..., 4H], both biases included
  LSTMState zero_state(int64_t batch) const;
  int64_t hidden = 0;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;
};

// A one-layer LSTM over [B, S, in] (batch first), all S steps, zero initial state. Bidirectional
// runs a second cell backwards (parameters suffixed _reverse) and concatenates [forward; backward].
class LSTM {
 public:
  LSTM() = default;
  LSTM(Graph& graph, const std::string& name, int64_t in, int64_t hidden, bool bidirectional = false);
  Tensor operator()(Tensor x) const;  // [B, S, hidden * directions]
  LSTMCell forward_cell, backward_cell;
  bool bidirectional = false;
};

struct AttentionOutput {
  Tensor output;   // [B, Tq, d]
  Tensor weights;  // [B, heads, Tq, Tk]
};

// Multi-head attention with heads as consecutive chunks of d / heads. Self-attention projects
// q, k, v with one `qkv` Linear(d, 3d); cross-attention uses `q` Linear(d, d) on the queries and
// `kv` Linear(d, 2d) on the memory. A mask broadcasts to [B, heads, Tq, Tk] (non-zero keeps).
struct AttentionOptions {
  int64_t width = 0;
  int64_t heads = 1;
  bool causal = false;
  bool cross = false;
  double normal_std = 0;  // > 0: the Transformers' N(0, std^2) init
  // Compute the output from the returned weights (unfused), so that a gradient with respect to
  // the weights is the model's own: what gradient-based explanations of attention need.
  bool differentiable_weights = false;
};

class MultiHeadAttention {
 public:
  MultiHeadAttention() = default;
  MultiHeadAttention(Graph& graph, const std::string& name, AttentionOptions options);
  AttentionOutput operator()(Tensor x, Tensor mask = {}) const;                   // self
  AttentionOutput operator()(Tensor queries, Tensor memory, Tensor mask) const;  // cross
  AttentionOptions options;
  Linear qkv, q, kv, proj;

 private:
  AttentionOutput attend(Tensor q, Tensor k, Tensor v, Tensor mask) const;
};

// fc -> exact GELU -> proj.
class MLP {
 public:
  MLP() = default;
  MLP(Graph& graph, const std::string& name, int64_t width, int64_t hidden, double normal_std = 0);
  Tensor operator()(Tensor x) const;
  Linear fc, proj;
};

// Pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x)).
class TransformerBlock {
 public:
  TransformerBlock() = default;
  TransformerBlock(Graph& graph, const std::string& name, int64_t width, int64_t heads, int64_t mlp, bool causal,
                   double normal_std = 0.02);
  AttentionOutput operator()(Tensor x, Tensor mask = {}) const;  // output and attention weights
  LayerNorm ln1, ln2;
  MultiHeadAttention attn;
  MLP mlp;
};

// Attention of a recurrent decoder over encoder states h [B, S, E] (the seq2seq model):
//   additive (Bahdanau): e_j = score(tanh(query(s) + key(h_j)));
//   general (Luong):     e_j = s . key(h_j), key without bias;
//   hard:                additive scores, then a one-hot choice of one j: in training the
//                        straight-through Gumbel-softmax (forward one-hot, gradient of the soft
//                        sample), at inference argmax.
enum class Scoring { additive, general, hard };
Scoring parse_scoring(std::string_view name);  // "additive", "general" or "dot", "hard"
std::string_view scoring_name(Scoring scoring);

struct SourceAttention {
  Tensor context;  // [B, E]
  Tensor weights;  // [B, S]
};

class DecoderAttention {
 public:
  DecoderAttention() = default;
  DecoderAttention(Graph& graph, const std::string& name, Scoring scoring, int64_t decoder_width, int64_t encoder_width,
                   int64_t attention_width, double temperature = 1.0);
  Tensor precompute(Tensor h) const;  // key(h): does not depend on the step
  // s [B, decoder_width], keys from precompute, h [B, S, E], mask [B, S] (non-zero keeps).
  SourceAttention operator()(Tensor s, Tensor keys, Tensor h, Tensor mask, bool training) const;
  Scoring scoring = Scoring::additive;
  double temperature = 1.0;
  Linear query, key, score;
};

}  // namespace heed::nn
