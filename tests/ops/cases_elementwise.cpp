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

  // bf16 and f16: a cast rounds once, to nearest with ties to even, so the CPU backend matches
  // the reference exactly; Vulkan holds neither dtype yet and must say so. Gradients pass through
  // the 16-bit value, so they are rounded to its dtype: finite differences (on the dtype's grid,
  // where rounding is exact) agree to within that rounding. One rounding, relative error at
  // most 2^-9 for bf16 (8 significant bits) and 2^-12 for f16 (11), keeps the NMSE under 1e-5
  // and 1e-7; two readers' gradients are rounded three times (each, then their sum), 1e-4 and 1e-6.
  for (const DType half : {bf16, f16}) {
    const std::string name(dtype_name(half));
    const double largest = half == bf16 ? 1e30 : 6e4, spacing = half == bf16 ? 0x1p-7 : 0x1p-10;
    const double finite_difference = half == bf16 ? 1e-5 : 1e-7, three_roundings = half == bf16 ? 1e-4 : 1e-6;
    auto add = [&](std::string what, std::vector<In> inputs, Builder build, bool gradients = false, Tolerance tolerance = {.forward = 0, .backward = 0}) {
      cases.push_back({"cast", std::move(what), std::move(inputs), std::move(build), tolerance, gradients, true, {{"vulkan", "holds no"}}});
    };
    add("f32 to " + name + " rounds to nearest", {In({5, 37}).range(-largest, largest).no_grad()},
        [half](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], half)}; });
    add("f32 to " + name + " near 1 rounds ties to even", {In({12}).values({1, 1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-8 + 0x1p-20, 1 + 0x1p-11, 1 + 3 * 0x1p-11,
                                                                       1 + 0x1p-11 + 0x1p-20, -1 - 0x1p-8, 0, -0.0, 65504, -65519}).no_grad()},
        [half](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], half)}; });
    add("f32 to " + name + " near the smallest normal", {In({3, 19}).range(-1e-4, 1e-4).no_grad()},
        [half](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], half)}; });
    add(name + " to f32 is exact", {In({3, 17}).range(-100, 100).stored_as(half)},
        [](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], f32)}; });
    const DType other = half == bf16 ? f16 : bf16;
    add(name + " to " + std::string(dtype_name(other)), {In({2, 23}).range(-300, 300).stored_as(half)},
        [other](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], other)}; });
    const int64_t whole = half == bf16 ? int64_t{1} << 30 : 65000;  // past 2^24 for bf16; f16 ends at 65504
    add("i32 to " + name + " rounds once", {In::i32({4, 11}, -whole, whole)},
        [half](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], half)}; });
    add(name + " to i32 truncates toward zero", {In({2, 9}).range(-1000, 1000).stored_as(half)},
        [](Graph&, const Inputs& x) -> Outputs { return {cast(x[0], i32)}; });
    // Values on the dtype's grid in [1, 2) and their negatives, one step from its ends: x +- h
    // with h one spacing stays on the grid.
    std::vector<double> grid;
    for (int k = 1; k <= 37; ++k) grid.push_back((k % 2 ? 1 : -1) * (1 + 3 * k * spacing));
    add("f32 to " + name + " and back passes the gradient, rounded", {In({37}).values(grid)},
        [half](Graph&, const Inputs& x) -> Outputs { return {cast(cast(x[0], half), f32)}; }, true,
        {.forward = 0, .backward = 0, .finite_difference = finite_difference, .step = spacing});
    add("two readers of one " + name + " value add their gradients", {In({37}).values(grid)},
        [half](Graph&, const Inputs& x) -> Outputs {
          Tensor stored = cast(x[0], half);
          return {cast(stored, f32), cast(stored, f32) * 3.0};
        },
        true, {.forward = 0, .backward = 0, .finite_difference = three_roundings, .step = spacing});
  }

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
