// Reductions: sum and max over sets of axes (negative ones too, with and without kept axes), and
// argmax along one axis.
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> reduction_cases() {
  std::vector<OpCase> cases;
  struct Reduce {
    Shape shape;
    std::vector<int64_t> axes;
    bool keep;
  };
  const std::vector<Reduce> reductions{
      {{7}, {}, false},          {{7}, {0}, true},          {{3, 17}, {}, false},       {{3, 17}, {-1}, false},
      {{3, 17}, {0}, true},      {{2, 3, 5}, {0, 2}, false}, {{2, 3, 5}, {1}, true},     {{2, 3, 5}, {-2, -1}, true},
      {{2, 1, 4, 19}, {1, 3}, false}, {{2, 1, 4, 19}, {0, 2}, true}, {{1, 1}, {0}, false}, {{67, 3}, {0}, false}};
  for (const Reduce& r : reductions) {
    std::string name = fmt::format("{} over [{}]{}", shape_string(r.shape), fmt::join(r.axes, ", "), r.keep ? " keeping dims" : "");
    cases.push_back({"sum", name, {In(r.shape)}, [r](Graph&, const Inputs& x) -> Outputs { return {sum(x[0], r.axes, r.keep)}; }});
    cases.push_back({"max", name, {In(r.shape)}, [r](Graph&, const Inputs& x) -> Outputs { return {max(x[0], r.axes, r.keep)}; }});
    cases.push_back({"mean", name, {In(r.shape)}, [r](Graph&, const Inputs& x) -> Outputs { return {mean(x[0], r.axes, r.keep)}; }});
  }
  // Ties: the gradient is shared among the tied maxima; finite differences do not exist there,
  // so only backends are compared with the reference.
  OpCase ties{"max", "ties share the gradient", {In({4, 6}).whole_numbers(-1, 1)},
              [](Graph&, const Inputs& x) -> Outputs { return {max(x[0], {1})}; }};
  ties.inputs[0].differentiable = true;
  ties.finite_differences = false;
  cases.push_back(ties);
  cases.push_back({"max", "large negative values", {In({5, 9}).range(-1e6, -1e5)},
                   [](Graph&, const Inputs& x) -> Outputs { return {max(x[0], {-1})}; }, {.step = 1e-1}});

  struct Arg {
    Shape shape;
    int64_t axis;
    bool keep;
  };
  for (const Arg& a : std::vector<Arg>{{{9}, 0, false}, {{3, 17}, -1, false}, {{3, 17}, 0, true}, {{2, 5, 3}, 1, false}, {{2, 3, 4, 5}, -2, true}, {{4, 1}, 1, false}}) {
    std::string name = fmt::format("{} along {}{}", shape_string(a.shape), a.axis, a.keep ? " keeping dims" : "");
    cases.push_back({"argmax", name, {In(a.shape)}, [a](Graph&, const Inputs& x) -> Outputs { return {argmax(x[0], a.axis, a.keep)}; }, {}, false});
  }
  cases.push_back({"argmax", "ties pick the first maximum", {In({6, 8}).whole_numbers(0, 2)},
                   [](Graph&, const Inputs& x) -> Outputs { return {argmax(x[0], -1), argmax(x[0], 0)}; }, {}, false});
  return cases;
}

}  // namespace heed::test
