#pragma once
// exp, tanh, sigmoid and the normal distribution written so that the compiler vectorises a loop over them: no library call,
// no branch, every special case a select. The fused pointwise kernel (pointwise_kernel.cpp) uses
// them where oneDNN's jitted eltwise primitives would each cost a launch. Accuracy is within a
// few ulp (Cephes' single-precision polynomials), as oneDNN's own kernels are.
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace heed::cpu::vector_math {

inline float exp(float x) {
  // exp(x) overflows above ln(FLT_MAX) and is below the smallest normal float under -87.34; in
  // between, x = n ln 2 + r with |r| <= ln 2 / 2, and 2^n is built in the exponent bits.
  constexpr float upper = 88.3762626647949f, lower = -87.3365478515625f;
  float clamped = x < lower ? lower : x;  // NaN passes both compares: the last line handles it
  clamped = clamped > upper ? upper : clamped;
  // Round to nearest by adding and taking away 1.5 * 2^23, which plain SSE2 vectorises too.
  constexpr float round = 12582912.0f;
  const float n = (clamped * 1.44269504088896341f + round) - round;
  float r = clamped - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;  // ln 2 in two parts, so that r keeps its low bits
  const float z = r * r;
  float y = 1.9875691500E-4f;
  y = y * r + 1.3981999507E-3f;
  y = y * r + 8.3334519073E-3f;
  y = y * r + 4.1665795894E-2f;
  y = y * r + 1.6666665459E-1f;
  y = y * r + 5.0000001201E-1f;
  y = y * z + r + 1.0f;
  const float scale = std::bit_cast<float>(static_cast<int32_t>((static_cast<int32_t>(n) + 127) << 23));
  float result = y * scale;
  result = x > upper ? INFINITY : result;
  result = x < lower ? 0.0f : result;
  return x != x ? x : result;  // NaN stays NaN
}

inline float tanh(float x) {
  // Near 0 an odd polynomial keeps the relative accuracy that 1 - 2 / (e^2x + 1) loses.
  const float z = x * x;
  float small = -5.70498872745E-3f;
  small = small * z + 2.06390887954E-2f;
  small = small * z - 5.37397155531E-2f;
  small = small * z + 1.33314422036E-1f;
  small = small * z - 3.33332819422E-1f;
  small = small * z * x + x;
  const float a = std::fabs(x);
  const float large = std::copysign(1.0f - 2.0f / (vector_math::exp(2.0f * a) + 1.0f), x);
  return a < 0.625f ? small : large;
}

inline float sigmoid(float x) { return 1.0f / (1.0f + vector_math::exp(-x)); }

// The standard normal distribution Phi(x) and density phi(x) = exp(-x^2 / 2) / sqrt(2 pi) of x.
// Phi's tail Phi(-|x|) = erfc(z) / 2, z = |x| / sqrt 2, is written as t Q(t) exp(-x^2 / 2) / 2
// with t = 1 / (1 + z / 2), where Q is a degree-9 polynomial (in t - 0.585) fitted to
// erfc(z) exp(z^2) / t for relative error (scripts/fit_normal_tail.py): 2e-8 in exact
// arithmetic, 2e-7 in float. The fit covers t >= 0.17; below it z > 9.3, where exp(-x^2 / 2)
// underflows and the tail is 0 anyway. The tail keeps its relative accuracy far out (1 + erf(x)
// would cancel), and exp(-x^2 / 2) is shared with the density, so the gelu backward takes one
// exponential instead of two.
struct NormalDistribution {
  float cdf, density;
};

inline NormalDistribution normal_distribution(float x) {
  const float z = std::fabs(x) * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.5f * z);
  const float s = t - 0.585f;
  float q = 1.300894606e-02f;
  q = q * s - 5.862279433e-02f;
  q = q * s + 3.170877315e-03f;
  q = q * s + 1.119648280e-01f;
  q = q * s - 4.845499960e-02f;
  q = q * s - 2.044719676e-01f;
  q = q * s + 8.107931025e-02f;
  q = q * s + 5.880980610e-01f;
  q = q * s + 7.848935087e-01f;
  q = q * s + 5.733185053e-01f;
  const float gaussian = vector_math::exp(-0.5f * x * x);
  const float tail = 0.5f * t * q * gaussian;  // Phi(-|x|)
  return {x < 0.0f ? tail : 1.0f - tail, 0.39894228040143268f * gaussian};
}

inline float normal_cdf(float x) { return normal_distribution(x).cdf; }

// The sum of term(i) for i < length in 16 float lanes (lane l takes i = l mod 16), which the
// compiler keeps in one vector register, then the lanes halved in four steps and the tail
// added: a fixed order, so the same bits at any thread count. A single running float sum is a
// chain the compiler may not reorder, which keeps such loops scalar. Partial sums in float suit
// short rows (a feature dimension, a vocabulary).
template <typename Term>
[[gnu::always_inline]] inline float lane_sum(int64_t length, const Term& term) {
  constexpr int64_t lanes = 16;
  std::array<float, lanes> partial{};
  int64_t i = 0;
  for (; i + lanes <= length; i += lanes)
    for (int64_t l = 0; l < lanes; ++l) partial[static_cast<size_t>(l)] += term(i + l);
  for (int64_t half = lanes / 2; half > 0; half /= 2)
    for (int64_t l = 0; l < half; ++l) partial[static_cast<size_t>(l)] += partial[static_cast<size_t>(l + half)];
  float total = partial[0];
  for (; i < length; ++i) total += term(i);
  return total;
}

}  // namespace heed::cpu::vector_math
