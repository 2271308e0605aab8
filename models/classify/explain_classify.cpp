#include "explain_classify.hpp"

#include <numeric>

namespace heed::models {

ClassifyExplanationValues read_explanation(Program& program, const BuiltModel& model) {
  return {train::read_all(program, model.attention_maps), train::read_all(program, model.attention_gradients)};
}

std::vector<train::ExplainMethod> classify_methods(const ClassifyConfig& config) {
  if (config.encoder == TextEncoder::transformer) return {std::begin(train::explain_methods), std::end(train::explain_methods)};
  return {train::ExplainMethod::attention, train::ExplainMethod::grad_attention};
}

std::vector<float> classify_relevance(const ClassifyConfig& config, const ClassifyExplanationValues& values, train::ExplainMethod method,
                                      int64_t example, int64_t length) {
  auto context = static_cast<size_t>(config.context);
  auto row = [&](const HostTensor& tensor) { return tensor.f32().subspan(static_cast<size_t>(example) * context, context); };
  std::span<const float> pooling = row(values.maps.back());
  // Views, not copies: each layer's tensor holds the whole batch.
  std::span<const HostTensor> layer_maps(values.maps.data(), values.maps.size() - 1);
  std::span<const HostTensor> layer_gradients(values.gradients.data(), values.gradients.size() - 1);
  std::vector<float> relevance;
  switch (method) {
    case train::ExplainMethod::attention:
      relevance.assign(pooling.begin(), pooling.end());
      break;
    case train::ExplainMethod::rollout:
      if (config.encoder != TextEncoder::transformer)
        fail("--explain rollout: rolls attention out through a Transformer's layers; this classify model's encoder is a BiLSTM");
      relevance = train::attention_rollout(train::layers_of(layer_maps, {}, example), pooling);
      break;
    case train::ExplainMethod::grad_attention: {
      std::vector<float> weighted = train::positive_product(pooling, row(values.gradients.back()));
      relevance = config.encoder == TextEncoder::transformer
                      ? train::gradient_rollout(train::layers_of(layer_maps, layer_gradients, example), weighted)
                      : weighted;
      break;
    }
  }
  relevance.resize(static_cast<size_t>(length));
  float total = std::accumulate(relevance.begin(), relevance.end(), 0.0f);
  if (total > 0)
    for (float& value : relevance) value /= total;
  return relevance;
}

}  // namespace heed::models
