// Elementwise ops: unary functions, cast, the broadcasting binary ops, comparisons and where.
#include "cases.hpp"

namespace heed::test {

namespace {

struct Unary {
  const char* op;
  Tensor (*f)(Tensor);
  In spec;
};

}  // namespace

std::vector<OpCase> elementwise_cases() {
  std::vector<OpCase> cases;
  const In any = In({}).range(-3, 3);
  const std::vector<Unary> unaries{
      {"neg", neg, any},
      {"exp", exp, any},
      {"log", log, In({}).range(0.05, 4)},
      {"sqrt", sqrt, In({}).range(0.05, 4)},
      {"rsqrt", rsqrt, In({}).range(0.1, 4)},
      {"tanh", tanh, any},
      {"sigmoid", sigmoid, In({}).range(-8, 8)},
      {"relu", relu, any.away_from_zero(0.01)},  // finite differences need x clear of the kink
      {"gelu", gelu, In({}).range(-5, 5)},
  };
  for (const Unary& u : unaries)
    for (const Shape& shape : elementwise_shapes()) {
      In spec = u.spec;
      spec.shape = shape;
      cases.push_back({u.op, "shape " + shape_string(shape), {spec}, [f = u.f](Graph&, const Inputs& x) -> Outputs { return {f(x[0])}; }});
    }

  // Near 1, log's result is small: an approximation with an absolute error shows up here.
  cases.push_back({"log", "values near 1", {In({4, 33}).range(0.9, 1.1)}, [](Graph&, const Inputs& x) -> Outputs { return {log(x[0])}; }});
  // exp(x) - 1 cancels: one ulp of exp(x) is about 1e-5 of the difference, hence 1e-8.
  cases.push_back({"exp", "values near 0, minus 1", {In({4, 33}).range(-0.01, 0.01)}, [](Graph&, const Inputs& x) -> Outputs { return {exp(x[0]) - 1.0}; },
                   {.forward = 1e-8, .backward = 1e-10}});

  // cast: f32 -> i32 truncates toward zero (values clear of whole numbers), i32 -> f32 is exact.
  cases.push_back({"cast", "f32 to i32 truncates toward zero", {In({4, 9}).range(-6, 6).no_grad()},
                   [](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], i32)}; }, {}, false});
  cases.push_back({"cast", "i32 to f32", {In::i32({3, 7}, -1000, 1000)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], f32)}; }, {}, false});
  cases.push_back({"cast", "round trip of whole numbers", {In({13}).whole_numbers(-9, 9)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cast(cast(x[0], i32), f32)}; }, {}, false});

  struct Binary {
    const char* op;
    Tensor (*f)(Tensor, Tensor);
    In a, b;
  };
  const std::vector<Binary> binaries{
      {"add", add, In({}), In({})},
      {"sub", sub, In({}), In({})},
      {"mul", mul, In({}).range(-2, 2), In({}).range(-2, 2)},
      {"div", div, In({}).range(-2, 2), In({}).range(0.5, 2)},
      {"pow", pow, In({}).range(0.5, 2), In({}).range(-2, 2)},
  };
  for (const Binary& op : binaries)
    for (const auto& [sa, sb] : broadcast_pairs()) {
      In a = op.a, b = op.b;
      a.shape = sa;
      b.shape = sb;
      auto name = fmt::format("{} with {}", shape_string(sa), shape_string(sb));
      auto swapped = fmt::format("{} with {}", shape_string(sb), shape_string(sa));
      cases.push_back({op.op, name, {a, b}, [f = op.f](Graph&, const Inputs& x) -> Outputs { return {f(x[0], x[1])}; }});
      // and the other way round, so that either operand may be the broadcast one
      In a_swapped = a, b_swapped = b;
      a_swapped.shape = sb;
      b_swapped.shape = sa;
      if (sa != sb) cases.push_back({op.op, swapped, {a_swapped, b_swapped},
                       [f = op.f](Graph&, const Inputs& x) -> Outputs { return {f(x[0], x[1])}; }});
    }
  cases.push_back({"div", "divisor of either sign", {In({5, 9}), In({9}).range(0.5, 2.5).values({-2, 1.5, -0.75, 0.5, 2, -1, 1, -1.25, 0.6})},
                   [](Graph&, const Inputs& x) -> Outputs { return {div(x[0], x[1])}; }});
  for (auto [op, f] : std::vector<std::pair<const char*, Tensor (*)(Tensor, Tensor)>>{{"add", add}, {"sub", sub}, {"mul", mul}})
    cases.push_back({op, "i32 with broadcast", {In::i32({4, 1, 6}, -50, 50), In::i32({3, 6}, -50, 50)},
                     [f](Graph&, const Inputs& x) -> Outputs { return {f(x[0], x[1])}; }, {}, false});
  cases.push_back({"neg", "i32 (multiplies by -1)", {In::i32({11}, -99, 99)}, [](Graph&, const Inputs& x) -> Outputs { return {neg(x[0])}; }, {}, false});

  const std::vector<std::pair<const char*, Tensor (*)(Tensor, Tensor)>> comparisons{
      {"equal", equal}, {"not_equal", not_equal}, {"less", less}, {"less_equal", less_equal}, {"greater", greater}, {"greater_equal", greater_equal}};
  for (const auto& [op, f] : comparisons) {
    // Whole numbers from a small range, so that ties occur.
    cases.push_back({op, "f32 with ties and broadcast", {In({4, 1, 6}).whole_numbers(-2, 2), In({3, 6}).whole_numbers(-2, 2)},
                     [f](Graph&, const Inputs& x) -> Outputs { return {f(x[0], x[1])}; }, {}, false});
    cases.push_back({op, "i32 against a scalar", {In::i32({5, 7}, -3, 3), In::i32({}, -1, 1)},
                     [f](Graph&, const Inputs& x) -> Outputs { return {f(x[0], x[1])}; }, {}, false});
    cases.push_back({op, "random f32 of rank 4", {In({2, 3, 1, 17}), In({3, 5, 1})},
                     [f](Graph&, const Inputs& x) -> Outputs { return {f(x[0], x[1])}; }, {}, false});
  }

  cases.push_back({"where", "f32 condition, all three broadcast",
                   {In({4, 1, 6}).whole_numbers(0, 1), In({3, 6}), In({4, 3, 1})},
                   [](Graph&, const Inputs& x) -> Outputs { return {where(x[0], x[1], x[2])}; }});
  cases.push_back({"where", "i32 condition (any non-zero is true)", {In::i32({5, 7}, -2, 2), In({5, 7}), In({})},
                   [](Graph&, const Inputs& x) -> Outputs { return {where(x[0], x[1], x[2])}; }});
  cases.push_back({"where", "i32 branches", {In({2, 9}).whole_numbers(0, 1), In::i32({2, 9}, -9, 9), In::i32({9}, 10, 20)},
                   [](Graph&, const Inputs& x) -> Outputs { return {where(x[0], x[1], x[2])}; }, {}, false});
  cases.push_back({"where", "condition from a comparison", {In({3, 17}), In({3, 17})},
                   [](Graph&, const Inputs& x) -> Outputs { return {where(greater(x[0], x[1]), x[0] * x[1], x[1] - x[0])}; }});
  return cases;
}

}  // namespace heed::test
