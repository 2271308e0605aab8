#pragma once
// Data-parallel training: every rank runs the same graph on its own share of the batch, and the
// whole batch's gradients come from one AllReduce node between the gradients and the updates
// (DESIGN.md, decision 12). Optimizer::minimize_across_ranks uses this.
#include <heed/graph.hpp>

#include <vector>

namespace heed {

// The means over every rank's examples of values that each rank computed as means over its own:
// sum_r weight_r * value_r / sum_r weight_r, where `weight` (an f32 scalar) is how many examples,
// or counted tokens, this rank's values average over. The weighted values and the weight travel
// as one flat bucket through one AllReduce; a value given twice travels once. Element i of the
// result is value i's mean, in its shape.
std::vector<Tensor> mean_over_ranks(const std::vector<Tensor>& values, Tensor weight);

}  // namespace heed
