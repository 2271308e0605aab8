// Functions GLSL lacks or leaves undefined where heed's op semantics (docs/ops.md, std:: in C++)
// define them: erf-based gelu, pow with negative bases, log and sqrt outside their domain.
#ifndef HEED_MATH_GLSL
#define HEED_MATH_GLSL

// Macros: glslang does not fold uintBitsToFloat into a constant.
#define heed_nan uintBitsToFloat(0x7fc00000u)
#define heed_inf uintBitsToFloat(0x7f800000u)

// erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit); using
// erfc rather than 1 + erf keeps gelu's relative accuracy in the negative tail.
float heed_erfc(float x) {
  float z = abs(x);
  float t = 1.0 / (1.0 + 0.5 * z);
  float r = t * exp(-z * z - 1.26551223 +
                    t * (1.00002368 +
                         t * (0.37409196 +
                              t * (0.09678418 +
                                   t * (-0.18628806 +
                                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0.0 ? r : 2.0 - r;
}

float heed_gelu(float x) { return 0.5 * x * heed_erfc(-x * 0.70710678118654752); }

float heed_gelu_grad(float x) {
  return 0.5 * heed_erfc(-x * 0.70710678118654752) + x * exp(-0.5 * x * x) * 0.39894228040143268;
}

// GLSL's tanh loses relative precision near zero on some drivers (it is exp-based) and can
// overflow to NaN for large |x|: a polynomial near zero (Cephes' tanhf), exp beyond.
float heed_tanh(float x) {
  float z = abs(x);
  if (z < 0.625) {
    float s = x * x;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s + 1.33314422036e-1) * s -
            3.33332819422e-1) * s * x + x;
  }
  float r = z > 10.0 ? 1.0 : 1.0 - 2.0 / (exp(2.0 * z) + 1.0);
  return x < 0.0 ? -r : r;
}

// log(1 + x) without losing x's digits to the rounding of 1 + x (Goldberg's correction).
float heed_log1p(float x) {
  precise float u = 1.0 + x;
  if (u == 1.0) return x;
  precise float result = log(u) * (x / (u - 1.0));
  return result;
}

float heed_sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

float heed_log(float x) {
  if (isnan(x) || x < 0.0) return heed_nan;
  if (x == 0.0) return -heed_inf;
  if (isinf(x)) return heed_inf;
  return log(x);
}

float heed_sqrt(float x) { return x < 0.0 ? heed_nan : sqrt(x); }

float heed_rsqrt(float x) {
  if (x < 0.0 || isnan(x)) return heed_nan;
  if (x == 0.0) return heed_inf;
  if (isinf(x)) return 0.0;
  return inversesqrt(x);
}

// x^n for a whole n by repeated squaring: exact for small powers (x*x is what C++ gives for x^2).
float heed_pow_whole(float x, float n) {
  float result = 1.0, base = x;
  uint e = uint(abs(n));
  while (e != 0u) {
    if ((e & 1u) != 0u) result *= base;
    base *= base;
    e >>= 1;
  }
  return n < 0.0 ? 1.0 / result : result;
}

// std::pow's special cases (C99 Annex F) around GLSL's pow, which is undefined for x < 0.
float heed_pow(float x, float y) {
  if (y == 0.0 || x == 1.0) return 1.0;
  if (isnan(x) || isnan(y)) return heed_nan;
  bool whole = floor(y) == y && !isinf(y);
  if (whole && abs(y) <= 64.0) return heed_pow_whole(x, y);
  bool odd = whole && abs(y) < 16777216.0 && (uint(abs(y)) & 1u) == 1u;
  if (x == 0.0) {
    float r = y < 0.0 ? heed_inf : 0.0;
    return odd && sign(1.0 / x) < 0.0 ? -r : r;  // 1/x tells -0 from +0
  }
  if (x < 0.0) {
    if (!whole) return heed_nan;
    float r = exp2(y * log2(-x));
    return odd ? -r : r;
  }
  if (isinf(x)) return y < 0.0 ? 0.0 : heed_inf;
  return exp2(y * log2(x));
}

#endif
