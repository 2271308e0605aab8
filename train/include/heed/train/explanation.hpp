#pragma once
// Explanations of a prediction beyond the raw attention, computed with heed's own autodiff:
// - attention: the model's attention as it is;
// - rollout (Abnar and Zuidema 2020): each Transformer layer's head-averaged attention, with the
//   residual as 0.5 A + 0.5 I, multiplied through the layers;
// - grad-attention (Chefer, Gur and Wolf 2021): each layer's attention weighted by its gradient
//   with respect to the predicted class's logit, heads averaged after keeping the positive part,
//   accumulated as R <- R + A R from R = I.
// A model's task builds its explanation graph (Task::build_explanation); compile_explanation adds
// the gradients, and the functions below combine what it computes for one example.
#include <heed/train/inference.hpp>

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace heed::train {

enum class ExplainMethod { attention, rollout, grad_attention };
// "attention", "rollout", "grad-attention"; anything else is an error listing them.
ExplainMethod parse_explain_method(std::string_view name);
std::string_view explain_method_name(ExplainMethod method);
inline constexpr ExplainMethod explain_methods[] = {ExplainMethod::attention, ExplainMethod::rollout, ExplainMethod::grad_attention};

// The task's explanation graph at `batch`, its attention maps and their gradients with respect
// to the explained score as outputs (model.attention_gradients).
InferenceModel compile_explanation(const Task& task, Backend& backend, const CompileOptions& options, int64_t batch);

// One example's attention of every Transformer layer, [heads, n, n] each, and (for
// grad-attention) the gradients of the explained score with respect to them.
struct LayerAttention {
  std::vector<std::span<const float>> maps, gradients;
  int64_t heads = 0, n = 0;
};

// Example `example` of every map in `maps` and `gradients` (each read from the program,
// [batch, heads, n, n]); the views point into them.
LayerAttention layers_of(std::span<const HostTensor> maps, std::span<const HostTensor> gradients, int64_t example);
std::vector<HostTensor> read_all(Program& program, const std::vector<Tensor>& tensors);

// start^T R: the relevance over the n positions of a row vector `start` over them (a one-hot
// row for a CLS token, a pooling's weights) carried down through the layers, where R is the
// rollout (the product of 0.5 A + 0.5 I, last layer first) or Chefer's accumulation (the product
// of I + mean_heads((A * dA)^+), which is R <- R + A R from R = I).
std::vector<float> attention_rollout(const LayerAttention& layers, std::span<const float> start);
std::vector<float> gradient_rollout(const LayerAttention& layers, std::span<const float> start);

// (weights * gradients)^+: a single attention distribution weighted by its gradient.
std::vector<float> positive_product(std::span<const float> weights, std::span<const float> gradients);

// The mean drop of the predicted class's probability for each removal (a method, or "random")
// and each k, and the Evaluation that reports them: values {"drop": {removal: {k: mean}}}, the
// headline being grad-attention's drop at the largest k.
class FaithfulnessTally {
 public:
  FaithfulnessTally(std::vector<int64_t> ks, std::string unit);
  void add(const std::string& removal, int64_t k, double drop);
  Evaluation evaluation(int64_t examples) const;
  const std::vector<int64_t>& ks() const { return ks_; }

 private:
  std::vector<int64_t> ks_;
  std::string unit_;
  std::vector<std::string> removals_;                    // in the order first added
  std::map<std::string, std::map<int64_t, std::pair<double, int64_t>>> sums_;  // removal -> k -> (sum, count)
};

// The probabilities of a run's logits [batch, classes]: a softmax of each row.
std::vector<float> class_probabilities(const HostTensor& logits);

// The `k` positions of the largest relevance (ties to the earlier position), among `count`.
std::vector<int64_t> top_positions(std::span<const float> relevance, int64_t k);

}  // namespace heed::train
