// Composite builders and operator sugar: they emit the primitive ops, and each is checked as a
// whole (mean, sum_to, dropout, one_hot, masked softmax and attention have their cases beside
// their families).
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> composite_cases() {
  std::vector<OpCase> cases;
  cases.push_back({"masked_fill", "a broadcast mask", {In({3, 6}), In({6}).whole_numbers(0, 1)},
                   [](Graph&, const Inputs& x) -> Outputs { return {masked_fill(x[0], x[1], -4.5)}; }});
  cases.push_back({"zeros_like", "plus an input", {In({2, 7})}, [](Graph&, const Inputs& x) -> Outputs { return {x[0] + zeros_like(x[0])}; }});
  cases.push_back({"ones_like", "times an input", {In({2, 7})}, [](Graph&, const Inputs& x) -> Outputs { return {x[0] * ones_like(x[0]) + ones_like(x[0])}; }});
  cases.push_back({"scalar_arithmetic", "tensor with doubles on either side", {In({3, 5}).range(0.5, 2)},
                   [](Graph&, const Inputs& x) -> Outputs { return {(2.0 - x[0]) * 3.0 + 1.5 / x[0] - x[0] / 4.0 + (1.0 + x[0]) - (-x[0])}; }});
  cases.push_back({"chain", "a small MLP forward", {In({6, 5}), In({8, 5}), In({8}), In({3, 8}), In({3})},
                   [](Graph&, const Inputs& x) -> Outputs {
                     Tensor h = gelu(matmul(x[0], x[1], false, true) + x[2]);
                     Tensor logits = matmul(layer_norm(h), x[3], false, true) + x[4];
                     return {log_softmax(logits)};
                   }});
  cases.push_back({"chain", "values used by several consumers", {In({4, 6})},
                   [](Graph&, const Inputs& x) -> Outputs {
                     Tensor a = tanh(x[0]);
                     return {a * a + sigmoid(a) - mean(a, {-1}, true), sum(a, {0})};
                   }});
  return cases;
}

}  // namespace heed::test
