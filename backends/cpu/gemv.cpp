// A product with one row, y = x B (+ bias) (+ addend) (then an activation), as a plain loop.
// At batch 1 every layer is one: oneDNN's matmul spends more on setting up its blocked kernel
// than the product takes. The split over threads is by output columns, the same columns to the
// same thread on every run, so each core keeps its part of the weights in its own L2; every
// output is summed in the same order whatever the thread count.
#include "gemv.hpp"

#include "isa_clones.hpp"
#include "parallel.hpp"
#include "vector_math.hpp"

#include <algorithm>

namespace heed::cpu {

namespace {

// Weights from which splitting over threads pays: half of them stay in each core's cache.
constexpr int64_t parallel_weights = int64_t{1} << 17;  // elements (512 KiB)

// Outputs [begin, end) of x B where B[k][n] = b[n * k_stride + k] (a Linear layer's weight,
// [n, k] row-major): one dot product per output, four at a time.
HEED_ISA_CLONES void dot_columns(const float* __restrict x, const float* __restrict b,
                                                                                                int64_t k, int64_t begin, int64_t end,
                                                                                                float* __restrict out) {
  int64_t n = begin;
  for (; n + 4 <= end; n += 4) {
    const float* w0 = b + n * k;
    const float* w1 = w0 + k;
    const float* w2 = w1 + k;
    const float* w3 = w2 + k;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (int64_t i = 0; i < k; ++i) {
      s0 += x[i] * w0[i];
      s1 += x[i] * w1[i];
      s2 += x[i] * w2[i];
      s3 += x[i] * w3[i];
    }
    out[n] = s0;
    out[n + 1] = s1;
    out[n + 2] = s2;
    out[n + 3] = s3;
  }
  for (; n < end; ++n) {
    const float* w = b + n * k;
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < k; ++i) s += x[i] * w[i];
    out[n] = s;
  }
}

// Outputs [begin, end) of x B where B is [k, n] row-major: rows of B scaled and summed.
HEED_ISA_CLONES void sum_rows(const float* __restrict x, const float* __restrict b,
                                                                                             int64_t k, int64_t n, int64_t begin, int64_t end,
                                                                                             float* __restrict out) {
  std::fill(out + begin, out + end, 0.0f);
  for (int64_t i = 0; i < k; ++i) {
    const float scale = x[i];
    const float* row = b + i * n;
    for (int64_t j = begin; j < end; ++j) out[j] += scale * row[j];
  }
}

HEED_ISA_CLONES void finish(float* __restrict out, const float* __restrict bias,
                                                                                           const float* __restrict addend, GemvActivation activation,
                                                                                           int64_t begin, int64_t end) {
  if (bias)
    for (int64_t j = begin; j < end; ++j) out[j] += bias[j];
  if (addend)
    for (int64_t j = begin; j < end; ++j) out[j] += addend[j];
  switch (activation) {
    case GemvActivation::None: break;
    case GemvActivation::Relu:
      for (int64_t j = begin; j < end; ++j) out[j] = out[j] > 0.0f ? out[j] : 0.0f;
      break;
    case GemvActivation::Tanh:
      for (int64_t j = begin; j < end; ++j) out[j] = vector_math::tanh(out[j]);
      break;
    case GemvActivation::Sigmoid:
      for (int64_t j = begin; j < end; ++j) out[j] = vector_math::sigmoid(out[j]);
      break;
  }
}

class GemvKernel final : public Kernel {
 public:
  explicit GemvKernel(Gemv gemv) : gemv_(gemv) {
    // Columns per thread: all of them unless the weights are big enough to share out.
    grain_ = gemv_.k * gemv_.n >= parallel_weights ? std::max<int64_t>(16, gemv_.n / 8) : gemv_.n;
  }

  void run() override {
    parallel_ranges(gemv_.n, grain_, [&](int64_t begin, int64_t end) {
      if (gemv_.transposed) dot_columns(gemv_.x, gemv_.b, gemv_.k, begin, end, gemv_.out);
      else sum_rows(gemv_.x, gemv_.b, gemv_.k, gemv_.n, begin, end, gemv_.out);
      finish(gemv_.out, gemv_.bias, gemv_.addend, gemv_.activation, begin, end);
    });
  }

 private:
  Gemv gemv_;
  int64_t grain_;
};

// Rows [begin, end) of out viewed as [batch * m, n].
HEED_ISA_CLONES void small_rows(const SmallProducts& p, int64_t begin, int64_t end) {
  for (int64_t row = begin; row < end; ++row) {
    const int64_t t = row / p.m, i = row % p.m;
    const float* a = p.a + t * p.a_batch + i * p.a_row;
    const float* b = p.b + t * p.b_batch;
    float* __restrict out = p.out + row * p.n;
    if (p.b_column == 1) {
      // Rows of b scaled and summed: every loop runs along a contiguous row.
      std::fill(out, out + p.n, 0.0f);
      for (int64_t l = 0; l < p.k; ++l) {
        const float scale = a[l * p.a_inner];
        const float* __restrict b_row = b + l * p.b_inner;
        for (int64_t j = 0; j < p.n; ++j) out[j] += scale * b_row[j];
      }
    } else if (p.b_inner == 1 && p.a_inner == 1) {
      for (int64_t j = 0; j < p.n; ++j) {
        const float* __restrict b_column = b + j * p.b_column;
        float sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int64_t l = 0; l < p.k; ++l) sum += a[l] * b_column[l];
        out[j] = sum;
      }
    } else {
      for (int64_t j = 0; j < p.n; ++j) {
        float sum = 0;
        for (int64_t l = 0; l < p.k; ++l) sum += a[l * p.a_inner] * b[l * p.b_inner + j * p.b_column];
        out[j] = sum;
      }
    }
    if (p.addend) {
      const float* __restrict addend = p.addend + row * p.n;
      for (int64_t j = 0; j < p.n; ++j) out[j] += addend[j];
    }
  }
}

class SmallProductsKernel final : public Kernel {
 public:
  explicit SmallProductsKernel(SmallProducts products) : products_(products) {
    const int64_t row_work = std::max<int64_t>(1, products_.k * products_.n);
    grain_ = std::max<int64_t>(1, elementwise_grain * 4 / row_work);
  }

  void run() override {
    parallel_ranges(products_.batch * products_.m, grain_, [&](int64_t begin, int64_t end) { small_rows(products_, begin, end); });
  }

 private:
  SmallProducts products_;
  int64_t grain_;
};

}  // namespace

std::unique_ptr<Kernel> gemv_kernel(const Gemv& gemv) { return std::make_unique<GemvKernel>(gemv); }

std::unique_ptr<Kernel> small_products_kernel(const SmallProducts& products) { return std::make_unique<SmallProductsKernel>(products); }

}  // namespace heed::cpu
