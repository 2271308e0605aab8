// The dedicated backward ops, called directly with arbitrary upstream gradients (the VJP checks
// of softmax, layer_norm, ... exercise them through autodiff as well). They have no VJP of their
// own, so only the forward values are compared.
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> backward_cases() {
  std::vector<OpCase> cases;
  for (const Shape& shape : std::vector<Shape>{{5}, {3, 17}, {2, 3, 8}}) {
    std::string name = shape_string(shape);
    cases.push_back({"softmax_backward", name, {In(shape).range(-3, 3), In(shape)},
                     [](Graph&, const Inputs& x) -> Outputs { return {softmax_backward(softmax(x[0]), x[1])}; }, {}, false});
    cases.push_back({"log_softmax_backward", name, {In(shape).range(-3, 3), In(shape)},
                     [](Graph&, const Inputs& x) -> Outputs { return {log_softmax_backward(log_softmax(x[0]), x[1])}; }, {}, false});
    cases.push_back({"gelu_backward", name, {In(shape).range(-5, 5), In(shape)},
                     [](Graph&, const Inputs& x) -> Outputs { return {gelu_backward(x[0], x[1])}; }, {}, false});
    const int64_t d = shape.back();
    cases.push_back({"layer_norm_backward", name + " without weight", {In(shape).range(-2, 2), In(shape)},
                     [](Graph&, const Inputs& x) -> Outputs { return {layer_norm_backward(x[0], x[1], {}, 1e-5)}; }, {}, false});
    cases.push_back({"layer_norm_backward", name + " with weight, eps 1e-2", {In(shape).range(-2, 2), In(shape), In({d})},
                     [](Graph&, const Inputs& x) -> Outputs { return {layer_norm_backward(x[0], x[1], x[2], 1e-2)}; }, {}, false});
  }
  cases.push_back({"embedding_backward", "repeated and out-of-range indices", {In({9, 4}), In::i32({9}, 0, 0).values({2, 0, 2, -1, 5, 2, 7, 0, 4})},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding_backward(x[0], x[1], 6)}; }, {}, false});
  cases.push_back({"embedding_backward", "rank-2 indices, an unused row", {In({3, 4, 17}), In::i32({3, 4}, 0, 9)},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding_backward(x[0], x[1], 11)}; }, {}, false});
  cases.push_back({"embedding_backward", "many repeats of one row", {In({64, 5}), In::i32({64}, 1, 1)},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding_backward(x[0], x[1], 3)}; }, {}, false});
  cases.push_back({"cross_entropy_backward", "ignored and out-of-range targets", {In({7, 4}), In::i32({7}, 0, 0).values({0, -100, 3, 4, -1, 2, 1}), In({}).range(0.5, 2)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy_backward(x[0], x[1], x[2], -100)}; }, {}, false});
  cases.push_back({"cross_entropy_backward", "rank-3 logits", {In({2, 3, 9}), In::i32({2, 3}, 0, 8), In({}).range(-2, 2)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy_backward(x[0], x[1], x[2], -100)}; }, {}, false});
  cases.push_back({"cross_entropy_backward", "every target ignored gives zeros", {In({3, 5}), In::i32({3}, 0, 0).values({7, 7, 7}), In({})},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy_backward(x[0], x[1], x[2], 7)}; }, {}, false});
  return cases;
}

}  // namespace heed::test
