#pragma once
// Picking the next byte from a language model's logits on the host: temperature scaling, then
// the top k candidates, then a draw. Temperature 0 takes the most likely byte.
#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace heed::models {

int32_t sample_next(std::span<const float> logits, double temperature, int64_t top_k, std::mt19937_64& random);

// The `count` most likely entries of softmax(logits), most likely first.
std::vector<std::pair<int32_t, double>> top_probabilities(std::span<const float> logits, int64_t count);

}  // namespace heed::models
