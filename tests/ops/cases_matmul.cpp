// Matmul: plain, every combination of transposes, batched, broadcast batch axes, size-1 and odd
// sizes.
#include "cases.hpp"
#include "../support/cpu_features.hpp"

namespace heed::test {

std::vector<OpCase> matmul_cases() {
  std::vector<OpCase> cases;
  struct Product {
    Shape a, b;
    bool ta, tb;
  };
  const std::vector<Product> products{
      {{3, 5}, {5, 4}, false, false},
      {{5, 3}, {5, 4}, true, false},
      {{3, 5}, {4, 5}, false, true},
      {{5, 3}, {4, 5}, true, true},
      {{17, 19}, {19, 23}, false, false},
      {{1, 5}, {5, 1}, false, false},
      {{3, 1}, {1, 4}, false, false},
      {{2, 3, 5}, {2, 5, 4}, false, false},
      {{2, 5, 3}, {2, 4, 5}, true, true},
      {{2, 1, 3, 5}, {4, 5, 7}, false, false},
      {{3, 5}, {2, 3, 5, 4}, false, false},
      {{2, 3, 6, 5}, {1, 7, 6}, true, true},
      {{4, 3, 5}, {5, 2}, false, false},
      {{33, 65}, {31, 65}, false, true},
  };
  for (const Product& p : products) {
    std::string name = fmt::format("{}{} x {}{}", shape_string(p.a), p.ta ? "^T" : "", shape_string(p.b), p.tb ? "^T" : "");
    cases.push_back({"matmul", name, {In(p.a), In(p.b)}, [p](Graph&, const Inputs& x) -> Outputs { return {matmul(x[0], x[1], p.ta, p.tb)}; }});
  }
  cases.push_back({"matmul", "a product of a tensor with itself", {In({6, 6})},
                   [](Graph&, const Inputs& x) -> Outputs { return {matmul(x[0], x[0], false, true)}; }});
  cases.push_back({"matmul", "linear layer with bias and relu", {In({5, 7}), In({4, 7}), In({4})},
                   [](Graph&, const Inputs& x) -> Outputs { return {relu(matmul(x[0], x[1], false, true) + x[2])}; }});
  // The patterns a backend may fuse into the product (a bias over the columns, then an
  // activation), and near misses it must not fuse. On Vulkan each runs fused here and unfused in
  // tests/vulkan/test_fusion.cpp.
  cases.push_back({"matmul", "bias added before the product, then tanh", {In({6, 5}), In({5, 9}), In({9})},
                   [](Graph&, const Inputs& x) -> Outputs { return {tanh(x[2] + matmul(x[0], x[1]))}; }});
  cases.push_back({"matmul", "bias and sigmoid", {In({6, 5}), In({5, 9}), In({1, 9})},
                   [](Graph&, const Inputs& x) -> Outputs { return {sigmoid(matmul(x[0], x[1]) + x[2])}; }});
  cases.push_back({"matmul", "bias and gelu on a batched product", {In({2, 6, 5}), In({2, 5, 9}), In({9})},
                   [](Graph&, const Inputs& x) -> Outputs { return {gelu(matmul(x[0], x[1]) + x[2])}; }});
  cases.push_back({"matmul", "bias alone, the sum kept beside its relu", {In({33, 17}), In({65, 17}), In({65})},
                   [](Graph&, const Inputs& x) -> Outputs {
                     Tensor sum = matmul(x[0], x[1], false, true) + x[2];
                     return {sum, relu(sum)};
                   }});
  cases.push_back({"matmul", "a linear layer on [2, 3, 5] (a reshape between the bias and gelu)", {In({2, 3, 5}), In({4, 5}), In({4})},
                   [](Graph&, const Inputs& x) -> Outputs {
                     Tensor flat = reshape(x[0], {6, 5});
                     return {gelu(reshape(matmul(flat, x[1], false, true) + x[2], {2, 3, 4}))};
                   }});
  cases.push_back({"matmul", "a bias over the rows and a product read twice (not fusable)", {In({4, 5}), In({5, 6}), In({4, 1})},
                   [](Graph&, const Inputs& x) -> Outputs {
                     Tensor product = matmul(x[0], x[1]);
                     return {relu(product + x[2]), tanh(product + x[2])};
                   }});

  // bf16 operands (f32 inputs cast to bf16 in the graph), an f32 result. Products of bf16 values
  // are exact in f32, so the forward pass is as close to the reference as an f32 product. The
  // gradients are rounded to bf16 (8 significant bits) where they meet the operands: a backend's
  // f32 sum and the reference's double one may land either side of a rounding boundary, so the
  // backward tolerance is bf16's, 1e-5. Finite differences are taken on bf16's grid in [1, 2)
  // (step 2^-7, where the casts are exact) and differ from the analytic gradient by two roundings
  // (the incoming gradient's and the result's): 1e-4.
  auto on_grid = [](const Shape& shape, int salt) {
    std::vector<double> values;
    for (int64_t i = 0; i < element_count(shape); ++i) {
      const int64_t step = (i * 37 + salt * 11) % 126 + 1;
      values.push_back((i % 3 == 1 ? -1 : 1) * (1 + static_cast<double>(step) * 0x1p-7));
    }
    return In(shape).values(values);
  };
  // Vulkan holds no bf16 values; the CPU backend refuses bf16 products on a CPU without AVX-512
  // BF16 or AMX rather than emulate them.
  std::vector<Refusal> bf16_refusals{{"vulkan", "holds no bf16"}};
  if (!cpu_has_bf16_products()) bf16_refusals.push_back({"cpu", no_bf16_products});
  const Tolerance bf16_products{.forward = 1e-10, .backward = 1e-5, .finite_difference = 1e-4, .step = 0x1p-7};
  const std::vector<Product> bf16_shapes{
      {{3, 5}, {5, 4}, false, false},    {{5, 3}, {4, 5}, true, true},     {{1, 8}, {8, 5}, false, false},
      {{2, 4, 6}, {6, 5}, false, false}, {{33, 64}, {17, 64}, false, true}, {{40, 9}, {40, 7}, true, false},
  };
  for (const Product& p : bf16_shapes) {
    std::string name = fmt::format("bf16 operands, {}{} x {}{}", shape_string(p.a), p.ta ? "^T" : "", shape_string(p.b), p.tb ? "^T" : "");
    cases.push_back({"matmul", name, {on_grid(p.a, 1), on_grid(p.b, 2)},
                     [p](Graph&, const Inputs& x) -> Outputs { return {matmul(cast(x[0], bf16), cast(x[1], bf16), p.ta, p.tb)}; },
                     bf16_products, true, true, bf16_refusals});
  }
  cases.push_back({"matmul", "bf16 operands with a bias and gelu after", {on_grid({6, 5}, 3), on_grid({9, 5}, 4), In({9})},
                   [](Graph&, const Inputs& x) -> Outputs { return {gelu(matmul(cast(x[0], bf16), cast(x[1], bf16), false, true) + x[2])}; },
                   {.forward = 1e-10, .backward = 1e-5, .finite_difference = 1e-3, .step = 0x1p-7}, true, false, bf16_refusals});
  return cases;
}

}  // namespace heed::test
