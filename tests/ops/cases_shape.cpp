// Shape ops: reshape, permute, slice, concat, broadcast, stop_gradient, and the composites built
// from them (transpose, squeeze, unsqueeze, sum_to).
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> shape_cases() {
  std::vector<OpCase> cases;
  // The reshape is followed by an elementwise op so that the alias is read by a kernel.
  cases.push_back({"reshape", "[2, 3, 4] to [6, 4]", {In({2, 3, 4})}, [](Graph&, const Inputs& x) -> Outputs { return {exp(reshape(x[0], {6, 4}))}; }});
  cases.push_back({"reshape", "[3, 17] to [-1]", {In({3, 17})}, [](Graph&, const Inputs& x) -> Outputs { return {reshape(x[0], {-1}) * 2.0}; }});
  cases.push_back({"reshape", "scalar to [1, 1]", {In({})}, [](Graph&, const Inputs& x) -> Outputs { return {reshape(x[0], {1, 1})}; }});
  cases.push_back({"reshape", "i32", {In::i32({4, 5}, -9, 9)}, [](Graph&, const Inputs& x) -> Outputs { return {reshape(x[0], {2, 10}) + reshape(x[0], {2, 10})}; }, {}, false});

  struct Perm {
    Shape shape;
    std::vector<int64_t> order;
  };
  for (const Perm& p : std::vector<Perm>{{{3, 17}, {1, 0}}, {{2, 3, 5}, {2, 0, 1}}, {{2, 3, 5}, {1, 0, 2}}, {{2, 3, 4, 5}, {3, 1, 0, 2}},
                                         {{2, 1, 4, 7}, {-1, -3, -2, 0}}, {{1, 5, 1}, {2, 1, 0}}}) {
    std::string name = fmt::format("{} by [{}]", shape_string(p.shape), fmt::join(p.order, ", "));
    cases.push_back({"permute", name, {In(p.shape)}, [p](Graph&, const Inputs& x) -> Outputs { return {permute(x[0], p.order)}; }});
  }
  cases.push_back({"permute", "i32", {In::i32({3, 4, 5}, -9, 9)}, [](Graph&, const Inputs& x) -> Outputs { return {permute(x[0], {2, 0, 1})}; }, {}, false});
  cases.push_back({"transpose", "last two axes of rank 3", {In({2, 3, 5})}, [](Graph&, const Inputs& x) -> Outputs { return {transpose(x[0])}; }});
  cases.push_back({"transpose", "axes 0 and -1 of rank 4", {In({2, 3, 4, 5})}, [](Graph&, const Inputs& x) -> Outputs { return {transpose(x[0], 0, -1)}; }});

  struct Cut {
    Shape shape;
    int64_t axis, begin, end;
  };
  for (const Cut& s : std::vector<Cut>{{{9}, 0, 2, 7}, {{3, 17}, 1, 0, 16}, {{3, 17}, -1, 5, -3}, {{4, 3, 5}, 0, 1, 2}, {{2, 6, 5}, 1, -4, 6},
                                       {{2, 3, 4, 19}, 3, 3, 17}, {{2, 3, 4, 19}, 2, 0, 1}}) {
    std::string name = fmt::format("{} axis {} from {} to {}", shape_string(s.shape), s.axis, s.begin, s.end);
    cases.push_back({"slice", name, {In(s.shape)}, [s](Graph&, const Inputs& x) -> Outputs { return {slice(x[0], s.axis, s.begin, s.end)}; }});
  }
  cases.push_back({"slice", "i32 rows", {In::i32({6, 4}, -9, 9)}, [](Graph&, const Inputs& x) -> Outputs { return {slice(x[0], 0, 1, 4)}; }, {}, false});

  cases.push_back({"concat", "two along axis 0", {In({2, 5}), In({3, 5})}, [](Graph&, const Inputs& x) -> Outputs { return {concat({x[0], x[1]}, 0)}; }});
  cases.push_back({"concat", "three along the last axis", {In({3, 1}), In({3, 17}), In({3, 4})},
                   [](Graph&, const Inputs& x) -> Outputs { return {concat({x[0], x[1], x[2]}, -1)}; }});
  cases.push_back({"concat", "along a middle axis of rank 4", {In({2, 3, 4, 5}), In({2, 3, 1, 5})},
                   [](Graph&, const Inputs& x) -> Outputs { return {concat({x[0], x[1]}, 2)}; }});
  cases.push_back({"concat", "the same tensor twice", {In({4, 7})}, [](Graph&, const Inputs& x) -> Outputs { return {concat({x[0], x[0]}, 1)}; }});
  cases.push_back({"concat", "i32 vectors", {In::i32({5}, -9, 9), In::i32({3}, -9, 9)},
                   [](Graph&, const Inputs& x) -> Outputs { return {concat({x[0], x[1]}, 0)}; }, {}, false});

  struct Stretch {
    Shape from, to;
  };
  for (const Stretch& s : std::vector<Stretch>{{{}, {5}}, {{3, 1}, {2, 3, 4}}, {{17}, {3, 17}}, {{1, 4, 1}, {2, 3, 4, 5}}, {{1}, {1, 1}}}) {
    std::string name = fmt::format("{} to {}", shape_string(s.from), shape_string(s.to));
    cases.push_back({"broadcast", name, {In(s.from)}, [s](Graph&, const Inputs& x) -> Outputs { return {broadcast(x[0], s.to)}; }});
  }
  cases.push_back({"broadcast", "i32", {In::i32({3, 1}, -9, 9)}, [](Graph&, const Inputs& x) -> Outputs { return {broadcast(x[0], {2, 3, 4})}; }, {}, false});

  cases.push_back({"unsqueeze", "at the front and at -1", {In({3, 5})},
                   [](Graph&, const Inputs& x) -> Outputs { return {exp(unsqueeze(x[0], 0)), exp(unsqueeze(x[0], -1))}; }});
  cases.push_back({"squeeze", "a middle axis and a negative one", {In({3, 1, 5, 1})},
                   [](Graph&, const Inputs& x) -> Outputs { return {tanh(squeeze(x[0], 1)), tanh(squeeze(x[0], -1))}; }});
  for (const Stretch& s : std::vector<Stretch>{{{2, 3, 4}, {3, 1}}, {{3, 17}, {17}}, {{2, 3, 4, 5}, {}}, {{2, 3, 4, 5}, {1, 4, 1}}, {{5, 5}, {5, 1}}}) {
    std::string name = fmt::format("{} down to {}", shape_string(s.from), shape_string(s.to));
    cases.push_back({"sum_to", name, {In(s.from)}, [s](Graph&, const Inputs& x) -> Outputs { return {sum_to(x[0], s.to)}; }});
  }

  // stop_gradient passes values and stops the gradient: backends must give zeros where finite
  // differences would not, so only backends are compared with the reference's zeros.
  OpCase stop{"stop_gradient", "values pass, gradient stops", {In({3, 7}), In({3, 7})},
              [](Graph&, const Inputs& x) -> Outputs { return {stop_gradient(x[0]) * x[1]}; }};
  stop.finite_differences = false;
  cases.push_back(stop);
  cases.push_back({"stop_gradient", "straight-through estimator", {In({4, 9})},
                   [](Graph&, const Inputs& x) -> Outputs {
                     Tensor hard = cast(cast(x[0] * 4.0, i32), f32) * 0.25;
                     return {x[0] + stop_gradient(hard - x[0])};
                   },
                   {}, true, false});
  return cases;
}

}  // namespace heed::test
