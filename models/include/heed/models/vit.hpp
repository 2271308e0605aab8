#pragma once
// vit (MODELS.md section 3): a vision Transformer over 4 x 4 patches of 28 x 28 images.
// Inputs: images f32 [B, 28, 28] (normalised; with channels > 1, [B, channels, side, side]) and,
// when training, labels i32 [B].
// Outputs: logits [B, classes], attention [layers, B, heads, 50, 50] (row 0 is the CLS token's).
#include <heed/models/model.hpp>

namespace heed::models {

struct ViTConfig {
  int64_t image = 28, patch = 4, width = 64, heads = 4, layers = 4, mlp = 128, classes = 10;
  int64_t channels = 1;             // 1: grey, 3: RGB
  std::vector<std::string> labels;  // class names where the data names them (an image folder)
  int64_t patches() const { return (image / patch) * (image / patch); }
  bool operator==(const ViTConfig&) const = default;
};

class ViT {
 public:
  ViT(Graph& graph, ViTConfig config);
  struct Outputs {
    Tensor logits, attention;
    std::vector<Tensor> layers;  // each layer's attention [B, heads, N, N]
  };
  Outputs forward(Tensor images, bool with_attention) const;

  ViTConfig config;
  nn::Linear patch;
  Tensor cls, position_embedding;
  std::vector<nn::TransformerBlock> blocks;
  nn::LayerNorm final_norm;
  nn::Linear head;
};

// [B, H, W] -> [B, patches, patch * patch]: row-major patches, row-major pixels within a patch;
// [B, C, H, W] -> [B, patches, C * patch * patch], channel by channel within a patch (the order of
// a convolution's weight [width, C, patch, patch]).
Tensor patchify(Tensor images, int64_t patch);

BuiltModel build_vit(const ViTConfig& config, const BuildOptions& options);

}  // namespace heed::models
