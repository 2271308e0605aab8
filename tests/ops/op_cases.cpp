#include "cases.hpp"

namespace heed::test {

const std::vector<OpCase>& all_cases() {
  static const std::vector<OpCase> cases = [] {
    std::vector<OpCase> all;
    for (auto family : {creation_cases, elementwise_cases, reduction_cases, shape_cases, matmul_cases, nn_cases, attention_cases, backward_cases,
                        composite_cases, large_cases, collective_cases})
      for (OpCase& c : family()) all.push_back(std::move(c));
    return all;
  }();
  return cases;
}

}  // namespace heed::test
