#include "explain_seq2seq.hpp"

#include <numeric>

namespace heed::models {

std::vector<float> seq2seq_relevance(Program& program, const BuiltModel& model, train::ExplainMethod method) {
  if (method == train::ExplainMethod::rollout)
    fail("--explain rollout: rolls attention out through a Transformer's layers; seq2seq attends once per output step "
         "(its explanations are attention and grad-attention)");
  HostTensor attention = program.read(model.attention);  // [B, T, S]
  int64_t steps = attention.shape()[1], source = attention.shape()[2];
  std::vector<float> rows(attention.f32().begin(), attention.f32().begin() + steps * source);
  if (method == train::ExplainMethod::attention) return rows;
  for (int64_t t = 0; t < steps; ++t) {
    HostTensor weights = program.read(model.attention_maps[static_cast<size_t>(t)]);
    HostTensor gradients = program.read(model.attention_gradients[static_cast<size_t>(t)]);
    std::vector<float> row = train::positive_product(weights.f32().subspan(0, static_cast<size_t>(source)),
                                                     gradients.f32().subspan(0, static_cast<size_t>(source)));
    float total = std::accumulate(row.begin(), row.end(), 0.0f);
    for (int64_t s = 0; s < source; ++s) rows[static_cast<size_t>(t * source + s)] = total > 0 ? row[static_cast<size_t>(s)] / total : 0.0f;
  }
  return rows;
}

}  // namespace heed::models
