#pragma once
// charlm (MODELS.md section 2): a byte-level decoder-only Transformer, pre-LN, causal.
// Inputs: tokens i32 [B, T] and, when training, targets i32 [B, T] (the next bytes).
// Outputs: logits [B, T, vocab], attention [layers, B, heads, T, T]. Built to explain, it also
// takes explained_position f32 [B, T] (one-hot: the position whose prediction is explained).
#include <heed/models/model.hpp>

namespace heed::models {

struct CharLMConfig {
  int64_t vocab = 256, context = 128, width = 128, heads = 4, layers = 4, mlp = 512;
  bool operator==(const CharLMConfig&) const = default;
};

class CharLM {
 public:
  CharLM(Graph& graph, CharLMConfig config);
  struct Outputs {
    Tensor logits, attention;
    std::vector<Tensor> layers;  // each layer's attention [B, heads, T, T]
  };
  Outputs forward(Tensor tokens, bool with_attention) const;

  CharLMConfig config;
  nn::Embedding token_embedding, position_embedding;
  std::vector<nn::TransformerBlock> blocks;
  nn::LayerNorm final_norm;
  nn::Linear head;
};

BuiltModel build_charlm(const CharLMConfig& config, const BuildOptions& options);

}  // namespace heed::models
