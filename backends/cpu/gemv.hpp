#pragma once
// Products oneDNN is slow at, written out by hand (gemv.cpp): a single row (batch-1 inference),
// and batches of products with one row, one column or an inner dimension of one (attention over
// a sequence per example: context = weights h and its gradients).
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

// out[t, i, j] = sum over l of a[t, i, l] b[t, l, j] (+ addend[t, i, j]), each operand read
// through strides (0 for a broadcast batch), out dense [batch, m, n].
struct SmallProducts {
  const float* a;
  const float* b;
  float* out;
  const float* addend = nullptr;  // dense like out, or null
  int64_t batch, m, k, n;
  int64_t a_batch, a_row, a_inner;  // strides of a along t, i, l
  int64_t b_batch, b_inner, b_column;  // strides of b along t, l, j
};

std::unique_ptr<Kernel> small_products_kernel(const SmallProducts& products);

}  // namespace heed::cpu
