#pragma once
// Products with a single row (batch-1 inference), written out by hand (gemv.cpp).
#include "kernel.hpp"

namespace heed::cpu {

enum class GemvActivation : uint8_t { None, Relu, Tanh, Sigmoid };

struct Gemv {
  const float* x;  // [k], contiguous
  const float* b;  // transposed: [n, k] row-major (a Linear layer's weight); else [k, n]
  bool transposed;
  int64_t k, n;
  float* out;                      // [n]; must not overlap the operands
  const float* bias = nullptr;     // [n] or null
  const float* addend = nullptr;   // [n] or null, added after the bias
  GemvActivation activation = GemvActivation::None;
};

std::unique_ptr<Kernel> gemv_kernel(const Gemv& gemv);

}  // namespace heed::cpu
