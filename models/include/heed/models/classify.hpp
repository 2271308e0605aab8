#pragma once
// classify: a text classifier whose attention shows which bytes decided. Bytes -> embedding ->
// a small pre-LN Transformer encoder (or a bidirectional LSTM) -> attention pooling (an additive
// score per position, a softmax over the real positions, their weighted sum) -> classes.
// Inputs: text i32 [B, L] (bytes, 0-padded), text_mask f32 [B, L] (1 at real bytes) and, when
// training, labels i32 [B]. Outputs: logits [B, classes], attention [B, L] (the pooling weights);
// built to explain, attention_maps holds each layer's [B, heads, L, L], then the pooling's.
#include <heed/models/model.hpp>

#include <string>
#include <vector>

namespace heed::models {

enum class TextEncoder { transformer, bilstm };

struct ClassifyConfig {
  int64_t context = 256;  // L: bytes read of each text (the rest is cut, and counted)
  int64_t width = 64, heads = 4, layers = 2, mlp = 128;  // the Transformer encoder
  int64_t hidden = 64;                                    // the BiLSTM encoder: each direction's width
  int64_t attention = 64;                                 // the pooling score's hidden width
  TextEncoder encoder = TextEncoder::transformer;
  std::vector<std::string> labels{"class 0", "class 1"};  // the class names; classes = labels.size()

  int64_t classes() const { return static_cast<int64_t>(labels.size()); }
  int64_t features() const { return encoder == TextEncoder::transformer ? width : 2 * hidden; }
  bool operator==(const ClassifyConfig&) const = default;
};

class Classify {
 public:
  Classify(Graph& graph, ClassifyConfig config);
  struct Outputs {
    Tensor logits, attention;
    std::vector<Tensor> layers;  // each Transformer layer's attention [B, heads, L, L]
  };
  Outputs forward(Tensor text, Tensor text_mask) const;

  ClassifyConfig config;
  nn::Embedding token_embedding, position_embedding;
  std::vector<nn::TransformerBlock> blocks;
  nn::LayerNorm final_norm;
  nn::LSTM lstm;
  nn::Linear pool_key, pool_score, head;
};

BuiltModel build_classify(const ClassifyConfig& config, const BuildOptions& options);

}  // namespace heed::models
