#include <heed/train/explanation.hpp>

#include <heed/autodiff.hpp>
#include <heed/error.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace heed::train {

ExplainMethod parse_explain_method(std::string_view name) {
  if (name == "attention") return ExplainMethod::attention;
  if (name == "rollout") return ExplainMethod::rollout;
  if (name == "grad-attention") return ExplainMethod::grad_attention;
  fail("--explain {}: the methods are attention, rollout and grad-attention", name);
}

std::string_view explain_method_name(ExplainMethod method) {
  switch (method) {
    case ExplainMethod::attention: return "attention";
    case ExplainMethod::rollout: return "rollout";
    case ExplainMethod::grad_attention: return "grad-attention";
  }
  return "?";
}

InferenceModel compile_explanation(const Task& task, Backend& backend, const CompileOptions& options, int64_t batch) {
  BuiltModel model = task.build_explanation(batch);
  if (model.attention_maps.empty() || !model.explained_score.valid())
    fail("{}: its explanation graph names no attention maps or no explained score", task.model());
  model.attention_gradients = grad(model.explained_score, model.attention_maps);
  for (const Tensor& map : model.attention_maps) model.graph->output(map);
  for (const Tensor& gradient : model.attention_gradients) model.graph->output(gradient);
  Program program = backend.compile(*model.graph, options);
  return {std::move(model), std::move(program)};
}

std::vector<HostTensor> read_all(Program& program, const std::vector<Tensor>& tensors) {
  std::vector<HostTensor> values;
  for (const Tensor& tensor : tensors) values.push_back(program.read(tensor));
  return values;
}

LayerAttention layers_of(std::span<const HostTensor> maps, std::span<const HostTensor> gradients, int64_t example) {
  LayerAttention layers;
  for (size_t l = 0; l < maps.size(); ++l) {
    const Shape& shape = maps[l].shape();
    if (shape.size() != 4 || shape[2] != shape[3]) fail("an explanation's layer attention must be [batch, heads, n, n], got rank {}", shape.size());
    layers.heads = shape[1];
    layers.n = shape[2];
    auto size = static_cast<size_t>(layers.heads * layers.n * layers.n);
    layers.maps.push_back(maps[l].f32().subspan(static_cast<size_t>(example) * size, size));
    if (l < gradients.size()) layers.gradients.push_back(gradients[l].f32().subspan(static_cast<size_t>(example) * size, size));
  }
  return layers;
}

namespace {

// row^T M for one layer's M = diagonal * I + mean_heads(f(A, dA)).
template <typename Combine>
std::vector<float> through_layer(const LayerAttention& layers, size_t layer, const std::vector<float>& row, float diagonal, Combine combine) {
  auto n = static_cast<size_t>(layers.n), cells = n * n;
  std::vector<float> out(n, 0.0f);
  for (size_t i = 0; i < n; ++i) out[i] = diagonal * row[i];
  float per_head = 1.0f / static_cast<float>(layers.heads);
  for (int64_t h = 0; h < layers.heads; ++h)
    for (size_t i = 0; i < n; ++i) {
      if (row[i] == 0.0f) continue;
      size_t base = static_cast<size_t>(h) * cells + i * n;
      for (size_t j = 0; j < n; ++j)
        out[j] += row[i] * per_head * combine(layers.maps[layer][base + j], layers.gradients.empty() ? 0.0f : layers.gradients[layer][base + j]);
    }
  return out;
}

}  // namespace

// The last layer reads the others' outputs: the row goes through the layers from the last down.
std::vector<float> attention_rollout(const LayerAttention& layers, std::span<const float> start) {
  std::vector<float> row(start.begin(), start.end());
  for (size_t l = layers.maps.size(); l-- > 0;) row = through_layer(layers, l, row, 0.5f, [](float weight, float) { return 0.5f * weight; });
  return row;
}

std::vector<float> gradient_rollout(const LayerAttention& layers, std::span<const float> start) {
  if (layers.gradients.size() != layers.maps.size()) fail("grad-attention needs the gradient of every layer's attention");
  std::vector<float> row(start.begin(), start.end());
  for (size_t l = layers.maps.size(); l-- > 0;)
    row = through_layer(layers, l, row, 1.0f, [](float weight, float gradient) { return std::max(0.0f, weight * gradient); });
  return row;
}

std::vector<float> positive_product(std::span<const float> weights, std::span<const float> gradients) {
  std::vector<float> product(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) product[i] = std::max(0.0f, weights[i] * gradients[i]);
  return product;
}

FaithfulnessTally::FaithfulnessTally(std::vector<int64_t> ks, std::string unit) : ks_(std::move(ks)), unit_(std::move(unit)) {}

void FaithfulnessTally::add(const std::string& removal, int64_t k, double drop) {
  if (!sums_.contains(removal)) removals_.push_back(removal);
  auto& [sum, count] = sums_[removal][k];
  sum += drop;
  ++count;
}

Evaluation FaithfulnessTally::evaluation(int64_t examples) const {
  Evaluation result;
  result.metric = "faithfulness";
  nlohmann::json drops = nlohmann::json::object();
  std::string table = fmt::format("mean drop of the predicted class's probability when the k most relevant {} are removed ({} held-out examples)\n{:>16}",
                                  unit_, examples, "removal \\ k");
  for (int64_t k : ks_) table += fmt::format(" {:>8}", k);
  for (const std::string& removal : removals_) {
    table += fmt::format("\n{:>16}", removal);
    for (int64_t k : ks_) {
      auto found = sums_.at(removal).find(k);
      double mean = found == sums_.at(removal).end() ? 0.0 : found->second.first / static_cast<double>(std::max<int64_t>(1, found->second.second));
      drops[removal][std::to_string(k)] = mean;
      table += fmt::format(" {:>8.4f}", mean);
      if (removal == "grad-attention" && k == ks_.back()) result.value = mean;
    }
  }
  result.values = {{"drop", drops}, {"examples", examples}, {"unit", unit_}, {"ks", ks_}};
  result.summary = table;
  return result;
}

std::vector<float> class_probabilities(const HostTensor& logits) {
  auto classes = static_cast<size_t>(logits.shape().back());
  std::vector<float> out(logits.f32().begin(), logits.f32().end());
  for (size_t first = 0; first < out.size(); first += classes) {
    auto row = std::span<float>(out).subspan(first, classes);
    float peak = *std::max_element(row.begin(), row.end()), total = 0;
    for (float& value : row) total += value = std::exp(value - peak);
    for (float& value : row) value /= total;
  }
  return out;
}

std::vector<int64_t> top_positions(std::span<const float> relevance, int64_t k) {
  std::vector<int64_t> order(relevance.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return relevance[static_cast<size_t>(a)] > relevance[static_cast<size_t>(b)]; });
  order.resize(static_cast<size_t>(std::min<int64_t>(k, static_cast<int64_t>(order.size()))));
  return order;
}

}  // namespace heed::train
