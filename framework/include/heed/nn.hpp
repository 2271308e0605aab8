#pragma once
// Reusable modules that register parameters under PyTorch's state_dict names.
#include <heed/graph.hpp>

namespace heed::nn {

// y = x W^T + b with W [out, in]; initialised uniform(-1/sqrt(in), 1/sqrt(in)) as PyTorch does.
class Linear {
 public:
  Linear(Graph& graph, const std::string& name, int64_t in, int64_t out, bool bias = true);
  Tensor operator()(Tensor x) const;
  Tensor weight, bias;
};

}  // namespace heed::nn
