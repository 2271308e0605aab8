// Larger shapes, where backends split work across threads or workgroups and accumulate long
// sums: the small cases of each family miss those paths.
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> large_cases() {
  std::vector<OpCase> cases;
  cases.push_back({"sum", "[128, 257] over each axis and over both", {In({128, 257})},
                   [](Graph&, const Inputs& x) -> Outputs { return {sum(x[0], {0}), sum(x[0], {1}), sum(x[0])}; }});
  cases.push_back({"sum", "a bias gradient: [3, 700, 33] over the first two axes (2100 rows, a part block)", {In({3, 700, 33})},
                   [](Graph&, const Inputs& x) -> Outputs { return {sum(x[0], {0, 1})}; }});
  cases.push_back({"max", "[3, 4099] over the last axis", {In({3, 4099})}, [](Graph&, const Inputs& x) -> Outputs { return {max(x[0], {-1})}; }});
  cases.push_back({"argmax", "[65, 1031] along both axes", {In({65, 1031})},
                   [](Graph&, const Inputs& x) -> Outputs { return {argmax(x[0], 0), argmax(x[0], 1)}; }, {}, false});
  cases.push_back({"add", "[96, 1000] with a broadcast row", {In({96, 1000}), In({1000})},
                   [](Graph&, const Inputs& x) -> Outputs { return {x[0] + x[1]}; }});
  cases.push_back({"gelu", "a long vector", {In({100003}).range(-4, 4)}, [](Graph&, const Inputs& x) -> Outputs { return {gelu(x[0])}; }});
  cases.push_back({"softmax", "rows of 1000", {In({6, 1000}).range(-5, 5)}, [](Graph&, const Inputs& x) -> Outputs { return {softmax(x[0])}; }});
  cases.push_back({"log_softmax", "many short rows", {In({2048, 3})}, [](Graph&, const Inputs& x) -> Outputs { return {log_softmax(x[0])}; }});
  cases.push_back({"layer_norm", "rows of 1024 with weight and bias", {In({8, 1024}).range(-3, 3), In({1024}), In({1024})},
                   [](Graph&, const Inputs& x) -> Outputs { return {layer_norm(x[0], x[1], x[2])}; }});
  cases.push_back({"matmul", "[128, 96] x [96, 80]", {In({128, 96}), In({96, 80})}, [](Graph&, const Inputs& x) -> Outputs { return {matmul(x[0], x[1])}; }});
  cases.push_back({"matmul", "batched [8, 33, 64] x [8, 48, 64]^T", {In({8, 33, 64}), In({8, 48, 64})},
                   [](Graph&, const Inputs& x) -> Outputs { return {matmul(x[0], x[1], false, true)}; }});
  // Over a million multiply-adds with the left operand transposed: a weight's gradient, which
  // the CPU backend runs on oneDNN's sgemm rather than its matmul primitive.
  cases.push_back({"matmul", "a weight's gradient: [1100, 40]^T x [1100, 30]", {In({1100, 40}), In({1100, 30})},
                   [](Graph&, const Inputs& x) -> Outputs { return {matmul(x[0], x[1], true, false)}; }});
  cases.push_back({"matmul", "[1100, 40]^T x [30, 1100]^T", {In({1100, 40}), In({30, 1100})},
                   [](Graph&, const Inputs& x) -> Outputs { return {matmul(x[0], x[1], true, true)}; }});
  cases.push_back({"embedding", "400 lookups into a [50, 64] table", {In({50, 64}), In::i32({400}, 0, 49)},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding(x[0], x[1])}; }});
  cases.push_back({"cross_entropy", "[256, 101] with some ignored rows", {In({256, 101}).range(-4, 4), In::i32({256}, -3, 100)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1], -1)}; }});
  cases.push_back({"permute", "[16, 33, 65] by [2, 0, 1]", {In({16, 33, 65})}, [](Graph&, const Inputs& x) -> Outputs { return {permute(x[0], {2, 0, 1})}; }});
  cases.push_back({"concat", "[64, 100] and [64, 37] along the last axis", {In({64, 100}), In({64, 37})},
                   [](Graph&, const Inputs& x) -> Outputs { return {concat({x[0], x[1]}, -1)}; }});
  cases.push_back({"random_normal", "a million values", {},
                   [](Graph& g, const Inputs&) -> Outputs { return {random_normal(g, {1000, 1000}, {.seed = 12345u, .counter = {}})}; },
                   {.forward = 0, .backward = 0}, false});
  return cases;
}

}  // namespace heed::test
