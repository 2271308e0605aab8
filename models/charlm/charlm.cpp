#include <heed/models/charlm.hpp>

namespace heed::models {

namespace {
constexpr double init_std = 0.02;  // the Transformers' init, as torch_models._init_transformer
}

CharLM::CharLM(Graph& graph, CharLMConfig config_)
    : config(config_),
      token_embedding(graph, "tok_emb", config.vocab, config.width, init_std),
      position_embedding(graph, "pos_emb", config.context, config.width, init_std) {
  for (int64_t i = 0; i < config.layers; ++i)
    blocks.emplace_back(graph, fmt::format("blocks.{}", i), config.width, config.heads, config.mlp, true, init_std);
  final_norm = nn::LayerNorm(graph, "ln_f", config.width);
  head = nn::Linear(graph, "head", config.width, config.vocab, false, init_std);
}

CharLM::Outputs CharLM::forward(Tensor tokens, bool with_attention) const {
  if (tokens.dtype() != i32 || tokens.rank() != 2 || tokens.dim(1) > config.context)
    fail("charlm: tokens must be i32 [batch, steps <= {}], got {}", config.context, describe(tokens));
  Graph& graph = tokens.graph();
  int64_t steps = tokens.dim(1);
  Tensor x = token_embedding(tokens) + position_embedding(arange(graph, steps, 0, 1, i32));
  std::vector<Tensor> maps, layers;
  for (const nn::TransformerBlock& block : blocks) {
    nn::AttentionOutput out = block(x);
    x = out.output;
    layers.push_back(out.weights);
    if (with_attention) maps.push_back(unsqueeze(out.weights, 0));
  }
  return {head(final_norm(x)), with_attention ? concat(maps, 0) : Tensor{}, layers};
}

BuiltModel build_charlm(const CharLMConfig& config, const BuildOptions& options) {
  BuiltModel built{std::make_unique<Graph>(options.seed), {}, {}, {}, {}, {}};
  Graph& graph = *built.graph;
  CharLM model(graph, config);
  for (nn::TransformerBlock& block : model.blocks) block.attn.options.differentiable_weights = options.explain;
  Tensor tokens = graph.input("tokens", {options.batch, config.context}, i32);
  built.inputs["tokens"] = tokens;
  CharLM::Outputs outputs = model.forward(tokens, options.with_attention);
  built.logits = outputs.logits;
  graph.output(built.logits);
  if (options.training) {
    Tensor targets = graph.input("targets", {options.batch, config.context}, i32);
    built.inputs["targets"] = targets;
    built.loss = cross_entropy(outputs.logits, targets);
    built.loss_weight = counted_targets(targets);
    graph.output(built.loss);
  }
  if (options.with_attention) {
    built.attention = outputs.attention;
    graph.output(built.attention);
  }
  if (options.explain) {
    Tensor position = graph.input("explained_position", {options.batch, config.context});
    built.inputs["explained_position"] = position;
    built.attention_maps = outputs.layers;
    built.explained_score = sum(max(outputs.logits, {2}) * position);
  }
  return built;
}

}  // namespace heed::models
