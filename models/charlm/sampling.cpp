#include "sampling.hpp"

#include <heed/error.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace heed::models {

namespace {

std::vector<int32_t> by_logit(std::span<const float> logits) {
  std::vector<int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[static_cast<size_t>(a)] > logits[static_cast<size_t>(b)]; });
  return order;
}

}  // namespace

int32_t sample_next(std::span<const float> logits, double temperature, int64_t top_k, std::mt19937_64& random) {
  if (temperature < 0) fail("--temperature {}: must be 0 (always the most likely byte) or more", temperature);
  std::vector<int32_t> order = by_logit(logits);
  if (temperature == 0) return order.front();
  size_t keep = top_k > 0 ? std::min(order.size(), static_cast<size_t>(top_k)) : order.size();
  double peak = logits[static_cast<size_t>(order.front())];
  std::vector<double> weights(keep);
  for (size_t i = 0; i < keep; ++i) weights[i] = std::exp((logits[static_cast<size_t>(order[i])] - peak) / temperature);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  return order[pick(random)];
}

std::vector<std::pair<int32_t, double>> top_probabilities(std::span<const float> logits, int64_t count) {
  std::vector<int32_t> order = by_logit(logits);
  double peak = logits[static_cast<size_t>(order.front())], total = 0;
  for (float logit : logits) total += std::exp(logit - peak);
  std::vector<std::pair<int32_t, double>> top;
  for (size_t i = 0; i < std::min(order.size(), static_cast<size_t>(count)); ++i)
    top.emplace_back(order[i], std::exp(logits[static_cast<size_t>(order[i])] - peak) / total);
  return top;
}

}  // namespace heed::models
