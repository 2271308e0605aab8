#pragma once
// classify's explanations: the pooling's attention over the bytes, rolled out through the
// Transformer's layers, or weighted by gradients (heed/train/explanation.hpp), and how faithful
// each is: the drop of the predicted class's probability when its top bytes are masked out.
#include <heed/models/classify.hpp>
#include <heed/train/explanation.hpp>

namespace heed::models {

// What an explanation program computed for a batch, read once.
struct ClassifyExplanationValues {
  std::vector<HostTensor> maps, gradients;  // each layer's attention, then the pooling weights [B, L]
};
ClassifyExplanationValues read_explanation(Program& program, const BuiltModel& model);

// The relevance of each of the L positions of `example`, summing to 1 over the real ones.
std::vector<float> classify_relevance(const ClassifyConfig& config, const ClassifyExplanationValues& values, train::ExplainMethod method,
                                      int64_t example, int64_t length);

// The explanation methods this configuration offers: rollout needs the Transformer encoder.
std::vector<train::ExplainMethod> classify_methods(const ClassifyConfig& config);

}  // namespace heed::models
