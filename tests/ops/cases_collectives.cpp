// Collectives in a one-rank program (no communicator): all_reduce gives its values and its
// gradient passes the output's. Runs over several ranks: tests/graph/test_data_parallel.cpp.
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> collective_cases() {
  std::vector<OpCase> cases;
  for (const Shape& shape : elementwise_shapes())
    cases.push_back({"all_reduce", fmt::format("one rank, {}", shape_string(shape)), {In(shape)},
                     [](Graph&, const Inputs& x) -> Outputs { return {exp(all_reduce(x[0] * 0.5))}; }});
  // The flat bucket data-parallel training sends: parts reshaped, concatenated, reduced, sliced.
  cases.push_back({"all_reduce", "a bucket of two values and a weight", {In({3, 5}), In({7})},
                   [](Graph& graph, const Inputs& x) -> Outputs {
                     std::vector<Tensor> means = mean_over_ranks({x[0], x[1], x[0]}, scalar(graph, 4.0));
                     return {means[0] * means[2], means[1]};
                   }});
  return cases;
}

}  // namespace heed::test
