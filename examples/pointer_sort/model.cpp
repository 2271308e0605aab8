// The graph: a Transformer encoder over the set of numbers (no positions: the order of the input
// does not matter), then one learned query per output place scored against every encoded input.
#include "pointer_sort.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace pointer_sort {

Config parse_config(const std::string& json) {
  Config config;
  if (json.empty()) return config;
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& error) {
    heed::fail("pointer_sort configuration: not JSON ({})", error.what());
  }
  for (const auto& [key, value] : object.items()) {
    int64_t* field = key == "length" ? &config.length : key == "width" ? &config.width : key == "heads" ? &config.heads
                   : key == "layers" ? &config.layers : nullptr;
    if (!field) heed::fail("pointer_sort configuration: unknown key '{}'; the keys are length, width, heads, layers", key);
    if (!value.is_number_integer() || value.get<int64_t>() <= 0)
      heed::fail("pointer_sort configuration: '{}' must be a positive whole number, got {}", key, value.dump());
    *field = value.get<int64_t>();
  }
  if (config.length < 2 || config.length > 64) heed::fail("pointer_sort configuration: length must be 2 to 64, got {}", config.length);
  if (config.width % config.heads != 0)
    heed::fail("pointer_sort configuration: heads ({}) must divide width ({})", config.heads, config.width);
  return config;
}

std::string config_json(const Config& config) {
  return nlohmann::json{{"length", config.length}, {"width", config.width}, {"heads", config.heads}, {"layers", config.layers}}.dump();
}

heed::train::BuiltModel build(const Config& config, const heed::train::BuildOptions& options) {
  using namespace heed;
  const int64_t batch = options.batch, n = config.length, d = config.width;
  train::BuiltModel model;
  model.graph = std::make_unique<Graph>(options.seed);
  Graph& graph = *model.graph;

  Tensor values = graph.input("values", {batch, n});
  model.inputs["values"] = values;
  nn::Linear embed(graph, "embed", 1, d);
  Tensor x = embed(reshape(values, {batch, n, 1}));
  for (int64_t layer = 0; layer < config.layers; ++layer)
    x = nn::TransformerBlock(graph, fmt::format("blocks.{}", layer), d, config.heads, 4 * d, false)(x).output;
  x = nn::LayerNorm(graph, "ln", d)(x);
  Tensor keys = nn::Linear(graph, "key", d, d)(x);                                 // [B, N, d]
  Tensor queries = graph.parameter("queries", nn::normal(graph, {n, d}, 1.0));    // one per output place
  Tensor scores = matmul(broadcast(queries, {batch, n, d}), keys, false, true) * (1 / std::sqrt(static_cast<double>(d)));
  model.logits = scores;  // [B, N places, N inputs]

  if (options.with_attention) {
    model.attention = softmax(scores);
    graph.output(model.attention);
  }
  if (options.training) {
    Tensor order = graph.input("order", {batch, n}, i32);
    model.inputs["order"] = order;
    model.loss = cross_entropy(scores, order);
  } else {
    model.prediction = argmax(scores, -1);
    graph.output(model.prediction);
  }
  return model;
}

}  // namespace pointer_sort
