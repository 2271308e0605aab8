#pragma once
// A pointer network that sorts: each output place t attends over the input numbers, and the
// number it attends to most is its answer, the t-th smallest. Its attention is its prediction.
//
// Inputs: values f32 [B, N] (distinct numbers in [0, 1)) and, when training, order i32 [B, N]
// (the index of the t-th smallest input). Outputs: logits [B, N, N], one row of scores over the
// inputs per output place; attention = softmax of the logits; prediction i32 [B, N].
#include <heed/heed.hpp>
#include <heed/train/registry.hpp>

#include <string>

namespace pointer_sort {

struct Config {
  int64_t length = 8;  // numbers in a list
  int64_t width = 64, heads = 4, layers = 2;
};

Config parse_config(const std::string& json);  // missing keys keep their defaults; an unknown key is an error
std::string config_json(const Config& config);

heed::train::BuiltModel build(const Config& config, const heed::train::BuildOptions& options);

// The task and the registration heed-train's command line reads.
heed::train::ModelRegistration registration();

}  // namespace pointer_sort
