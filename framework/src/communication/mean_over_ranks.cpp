#include <heed/data_parallel.hpp>
#include <heed/error.hpp>
#include <heed/ops.hpp>

#include <map>

namespace heed {

std::vector<Tensor> mean_over_ranks(const std::vector<Tensor>& values, Tensor weight) {
  if (values.empty()) fail("mean_over_ranks: no values to average");
  if (weight.dtype() != f32 || !weight.shape().empty()) fail("mean_over_ranks: the weight must be an f32 scalar, got {}", describe(weight));
  Graph& graph = weight.graph();
  // One part per distinct node: a gradient shared by two parameters is reduced once. The
  // bucket is weighted and divided whole, a kernel each, rather than part by part.
  std::map<NodeId, int64_t> offsets;
  std::vector<Tensor> parts;
  int64_t length = 0;
  for (const Tensor& value : values) {
    if (&value.graph() != &graph) fail("mean_over_ranks: {} belongs to another graph than the weight", describe(value));
    if (value.dtype() != f32) fail("mean_over_ranks: {} is not f32", describe(value));
    if (offsets.contains(value.id())) continue;
    offsets[value.id()] = length;
    int64_t count = element_count(value.shape());
    parts.push_back(reshape(value, {count}));
    length += count;
  }
  parts.push_back(full(graph, {1}, 1.0));  // becomes the weight itself
  Tensor sums = all_reduce(concat(parts, 0) * weight);
  Tensor means = sums / reshape(slice(sums, 0, length, length + 1), {});
  std::vector<Tensor> result;
  for (const Tensor& value : values) {
    int64_t offset = offsets.at(value.id());
    result.push_back(reshape(slice(means, 0, offset, offset + element_count(value.shape())), value.shape()));
  }
  return result;
}

}  // namespace heed
