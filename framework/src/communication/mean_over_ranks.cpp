#include <heed/data_parallel.hpp>
#include <heed/error.hpp>
#include <heed/ops.hpp>

#include <map>

namespace heed {

std::vector<Tensor> mean_over_ranks(const std::vector<Tensor>& values, Tensor weight) {
  if (values.empty()) fail("mean_over_ranks: no values to average");
  if (weight.dtype() != f32 || !weight.shape().empty()) fail("mean_over_ranks: the weight must be an f32 scalar, got {}", describe(weight));
  Graph& graph = weight.graph();
  // One part per distinct node: a gradient shared by two parameters is reduced once.
  std::map<NodeId, int64_t> offsets;
  std::vector<Tensor> parts;
  int64_t length = 0;
  for (const Tensor& value : values) {
    if (&value.graph() != &graph) fail("mean_over_ranks: {} belongs to another graph than the weight", describe(value));
    if (value.dtype() != f32) fail("mean_over_ranks: {} is not f32", describe(value));
    if (offsets.contains(value.id())) continue;
    offsets[value.id()] = length;
    int64_t count = element_count(value.shape());
    parts.push_back(reshape(value * weight, {count}));
    length += count;
  }
  parts.push_back(reshape(weight, {1}));
  Tensor bucket = all_reduce(concat(parts, 0));
  Tensor total = reshape(slice(bucket, 0, length, length + 1), {});
  std::vector<Tensor> means;
  for (const Tensor& value : values) {
    int64_t offset = offsets.at(value.id());
    Tensor part = slice(bucket, 0, offset, offset + element_count(value.shape()));
    means.push_back(reshape(part, value.shape()) / total);
  }
  return means;
}

}  // namespace heed
