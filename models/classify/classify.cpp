#include <heed/models/classify.hpp>

namespace heed::models {

namespace {
constexpr double init_std = 0.02;  // the Transformers' init; the LSTM keeps PyTorch's default
}

Classify::Classify(Graph& graph, ClassifyConfig config_) : config(std::move(config_)) {
  if (config.classes() < 2) fail("classify: needs at least two classes, got {}", config.classes());
  bool transformer = config.encoder == TextEncoder::transformer;
  token_embedding = nn::Embedding(graph, "tok_emb", 256, config.width, transformer ? init_std : 1.0);
  if (transformer) {
    position_embedding = nn::Embedding(graph, "pos_emb", config.context, config.width, init_std);
    for (int64_t i = 0; i < config.layers; ++i)
      blocks.emplace_back(graph, fmt::format("blocks.{}", i), config.width, config.heads, config.mlp, false, init_std);
    final_norm = nn::LayerNorm(graph, "ln_f", config.width);
  } else {
    lstm = nn::LSTM(graph, "lstm", config.width, config.hidden, true);
  }
  pool_key = nn::Linear(graph, "pool.key", config.features(), config.attention, true, transformer ? init_std : 0);
  pool_score = nn::Linear(graph, "pool.score", config.attention, 1, true, transformer ? init_std : 0);
  head = nn::Linear(graph, "head", config.features(), config.classes(), true, transformer ? init_std : 0);
}

Classify::Outputs Classify::forward(Tensor text, Tensor text_mask) const {
  if (text.dtype() != i32 || text.rank() != 2 || text.dim(1) > config.context)
    fail("classify: text must be i32 [batch, length <= {}], got {}", config.context, describe(text));
  if (text_mask.dtype() != f32 || text_mask.shape() != text.shape())
    fail("classify: text_mask must be f32 {}, got {}", describe(text), describe(text_mask));
  Graph& graph = text.graph();
  int64_t batch = text.dim(0), length = text.dim(1);
  Tensor h;
  std::vector<Tensor> layers;
  if (config.encoder == TextEncoder::transformer) {
    h = token_embedding(text) + position_embedding(arange(graph, length, 0, 1, i32));
    Tensor keys = reshape(text_mask, {batch, 1, 1, length});  // padding is never attended to
    for (const nn::TransformerBlock& block : blocks) {
      nn::AttentionOutput out = block(h, keys);
      h = out.output;
      layers.push_back(out.weights);
    }
    h = final_norm(h);
  } else {
    h = lstm(token_embedding(text));
  }
  // Attention pooling: e_j = score(tanh(key(h_j))), a_j = softmax_j(e) over the real bytes.
  Tensor scores = reshape(pool_score(tanh(pool_key(h))), {batch, length});
  Tensor weights = softmax(scores, text_mask);
  Tensor pooled = reshape(matmul(unsqueeze(weights, 1), h), {batch, config.features()});
  return {head(pooled), weights, layers};
}

BuiltModel build_classify(const ClassifyConfig& config, const BuildOptions& options) {
  BuiltModel built{std::make_unique<Graph>(options.seed), {}, {}, {}, {}, {}};
  Graph& graph = *built.graph;
  Classify model(graph, config);
  for (nn::TransformerBlock& block : model.blocks) block.attn.options.differentiable_weights = options.explain;
  Tensor text = graph.input("text", {options.batch, config.context}, i32);
  Tensor text_mask = graph.input("text_mask", {options.batch, config.context});
  built.inputs["text"] = text;
  built.inputs["text_mask"] = text_mask;
  Classify::Outputs outputs = model.forward(text, text_mask);
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
    built.attention_maps.push_back(outputs.attention);
    built.explained_score = sum(max(outputs.logits, {1}));
  }
  return built;
}

}  // namespace heed::models
