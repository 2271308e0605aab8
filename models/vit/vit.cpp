#include <heed/models/vit.hpp>

namespace heed::models {

namespace {
constexpr double init_std = 0.02;
}

ViT::ViT(Graph& graph, ViTConfig config_) : config(config_) {
  if (config.image % config.patch != 0) fail("vit: image size {} is not a multiple of the patch size {}", config.image, config.patch);
  if (config.channels != 1 && config.channels != 3) fail("vit: channels must be 1 (grey) or 3 (RGB), got {}", config.channels);
  if (!config.labels.empty() && static_cast<int64_t>(config.labels.size()) != config.classes)
    fail("vit: {} class names for {} classes", config.labels.size(), config.classes);
  patch = nn::Linear(graph, "patch", config.channels * config.patch * config.patch, config.width, true, init_std);
  cls = graph.parameter("cls", nn::normal(graph, {1, 1, config.width}, init_std));
  position_embedding = graph.parameter("pos_emb", nn::normal(graph, {1, config.patches() + 1, config.width}, init_std));
  for (int64_t i = 0; i < config.layers; ++i)
    blocks.emplace_back(graph, fmt::format("blocks.{}", i), config.width, config.heads, config.mlp, false, init_std);
  final_norm = nn::LayerNorm(graph, "ln_f", config.width);
  head = nn::Linear(graph, "head", config.width, config.classes, true, init_std);
}

Tensor patchify(Tensor images, int64_t size) {
  if (images.rank() == 4) {
    int64_t batch = images.dim(0), channels = images.dim(1), rows = images.dim(2) / size, columns = images.dim(3) / size;
    Tensor grid = reshape(images, {batch, channels, rows, size, columns, size});
    return reshape(permute(grid, {0, 2, 4, 1, 3, 5}), {batch, rows * columns, channels * size * size});
  }
  int64_t batch = images.dim(0), rows = images.dim(1) / size, columns = images.dim(2) / size;
  Tensor grid = reshape(images, {batch, rows, size, columns, size});
  return reshape(permute(grid, {0, 1, 3, 2, 4}), {batch, rows * columns, size * size});
}

ViT::Outputs ViT::forward(Tensor images, bool with_attention) const {
  Shape expected = config.channels == 1 ? Shape{images.dim(0), config.image, config.image}
                                        : Shape{images.dim(0), config.channels, config.image, config.image};
  if (images.dtype() != f32 || images.shape() != expected)
    fail("vit: images must be f32 [batch, {}{}, {}], got {}", config.channels == 1 ? "" : fmt::format("{}, ", config.channels),
         config.image, config.image, describe(images));
  int64_t batch = images.dim(0);
  Tensor x = patch(patchify(images, config.patch));  // [B, patches, width]
  x = concat({broadcast(cls, {batch, 1, config.width}), x}, 1) + position_embedding;
  std::vector<Tensor> maps, layers;
  for (const nn::TransformerBlock& block : blocks) {
    nn::AttentionOutput out = block(x);
    x = out.output;
    layers.push_back(out.weights);
    if (with_attention) maps.push_back(unsqueeze(out.weights, 0));
  }
  Tensor cls_state = reshape(slice(final_norm(x), 1, 0, 1), {batch, config.width});
  return {head(cls_state), with_attention ? concat(maps, 0) : Tensor{}, layers};
}

BuiltModel build_vit(const ViTConfig& config, const BuildOptions& options) {
  BuiltModel built{std::make_unique<Graph>(options.seed), {}, {}, {}, {}, {}};
  Graph& graph = *built.graph;
  ViT model(graph, config);
  for (nn::TransformerBlock& block : model.blocks) block.attn.options.differentiable_weights = options.explain;
  Tensor images = graph.input("images", config.channels == 1 ? Shape{options.batch, config.image, config.image}
                                                           : Shape{options.batch, config.channels, config.image, config.image});
  built.inputs["images"] = images;
  ViT::Outputs outputs = model.forward(images, options.with_attention);
  built.logits = outputs.logits;
  graph.output(built.logits);
  if (options.training) {
    Tensor labels = graph.input("labels", {options.batch}, i32);
    built.inputs["labels"] = labels;
    built.loss = cross_entropy(outputs.logits, labels);
    built.loss_weight = counted_targets(labels);
    graph.output(built.loss);
  }
  if (options.with_attention) {
    built.attention = outputs.attention;
    graph.output(built.attention);
  }
  if (options.explain) {
    built.attention_maps = outputs.layers;
    built.explained_score = sum(max(outputs.logits, {1}));
  }
  return built;
}

}  // namespace heed::models
