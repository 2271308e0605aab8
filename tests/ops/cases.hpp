#pragma once
// The per-op cases, one file per family; all_cases() (op_cases.cpp) gathers them.
#include "../support/op_harness.hpp"

#include <heed/heed.hpp>

namespace heed::test {

std::vector<OpCase> creation_cases();
std::vector<OpCase> elementwise_cases();
std::vector<OpCase> reduction_cases();
std::vector<OpCase> shape_cases();
std::vector<OpCase> matmul_cases();
std::vector<OpCase> nn_cases();
std::vector<OpCase> attention_cases();
std::vector<OpCase> backward_cases();
std::vector<OpCase> composite_cases();
std::vector<OpCase> large_cases();
std::vector<OpCase> collective_cases();

using Outputs = std::vector<Tensor>;
using Inputs = std::vector<Tensor>;

// Shapes every elementwise op is tried on: a scalar, odd vector lengths that are not multiples of
// a vector width, size-1 axes, ranks up to 4.
inline const std::vector<Shape>& elementwise_shapes() {
  static const std::vector<Shape> shapes{{}, {7}, {3, 17}, {2, 1, 5}, {2, 3, 1, 19}, {67}};
  return shapes;
}

// Pairs of shapes that broadcast: equal, trailing vector, size-1 axes on both sides, a scalar,
// rank 4 against rank 3.
inline const std::vector<std::pair<Shape, Shape>>& broadcast_pairs() {
  static const std::vector<std::pair<Shape, Shape>> pairs{
      {{3, 5}, {3, 5}}, {{3, 17}, {17}}, {{4, 1, 6}, {1, 3, 6}}, {{}, {2, 3}}, {{2, 3, 1, 5}, {3, 7, 1}}, {{19}, {1}}, {{5, 1}, {1, 33}}};
  return pairs;
}

}  // namespace heed::test
