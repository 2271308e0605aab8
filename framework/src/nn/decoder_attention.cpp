#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

namespace heed::nn {

Scoring parse_scoring(std::string_view name) {
  if (name == "additive") return Scoring::additive;
  if (name == "general" || name == "dot") return Scoring::general;
  if (name == "hard") return Scoring::hard;
  fail("unknown attention scoring '{}'; choose additive, general (or dot), or hard", name);
}

std::string_view scoring_name(Scoring scoring) {
  switch (scoring) {
    case Scoring::additive: return "additive";
    case Scoring::general: return "general";
    case Scoring::hard: return "hard";
  }
  return "?";
}

DecoderAttention::DecoderAttention(Graph& graph, const std::string& name, Scoring scoring_, int64_t decoder_width,
                                   int64_t encoder_width, int64_t attention_width, double temperature_)
    : scoring(scoring_), temperature(temperature_) {
  if (temperature <= 0) fail("DecoderAttention '{}': temperature must be positive, got {}", name, temperature);
  if (scoring == Scoring::general) {
    key = Linear(graph, name + ".key", encoder_width, decoder_width, false);
  } else {
    query = Linear(graph, name + ".query", decoder_width, attention_width, false);
    key = Linear(graph, name + ".key", encoder_width, attention_width, true);
    score = Linear(graph, name + ".score", attention_width, 1, false);
  }
}

Tensor DecoderAttention::precompute(Tensor h) const { return key(h); }

SourceAttention DecoderAttention::operator()(Tensor s, Tensor keys, Tensor h, Tensor mask, bool training) const {
  int64_t batch = h.dim(0), steps = h.dim(1);
  Tensor scores = scoring == Scoring::general
                      ? reshape(matmul(keys, unsqueeze(s, 2)), {batch, steps})
                      : reshape(score(tanh(unsqueeze(query(s), 1) + keys)), {batch, steps});
  Tensor weights;
  if (scoring == Scoring::hard) {
    Tensor masked = masked_fill(scores, mask, masked_logit);
    Graph& graph = h.graph();
    Tensor soft = training ? softmax((masked + random_gumbel(graph, masked.shape(), {.seed = std::nullopt, .counter = graph.random_counter()})) *
                                     (1.0 / temperature))
                           : softmax(masked);
    Tensor hard = one_hot(argmax(soft, -1), steps);
    // Straight-through: the forward value is the one-hot choice, the gradient that of `soft`
    // (as torch_models.AdditiveAttention._hard, in training and at inference alike).
    weights = soft + stop_gradient(hard - soft);
  } else {
    weights = softmax(scores, mask);
  }
  Tensor context = reshape(matmul(unsqueeze(weights, 1), h), {batch, h.dim(2)});
  return {context, weights};
}

}  // namespace heed::nn
