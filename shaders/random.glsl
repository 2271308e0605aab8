// The counter-based generator of framework/include/heed/random_bits.hpp, bit for bit: element
// `index` of the stream (seed, counter) is a pure function of the three, so the CPU and Vulkan
// backends draw the same words. uint arithmetic wraps modulo 2^32 exactly as C++'s does.
#ifndef HEED_RANDOM_GLSL
#define HEED_RANDOM_GLSL

uint heed_mix(uint x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

// lane selects one of several independent words for the same element (Box-Muller needs two).
uint heed_bits(uint seed, uint counter, uint index, uint lane) {
  return heed_mix(heed_mix(heed_mix(index * 2u + lane) ^ counter) + seed * 0x9e3779b9u);
}

// In [0, 1): 24 random bits; the conversion and the power-of-two scale are exact.
float heed_unit(uint word) { return float(word >> 8) * (1.0 / 16777216.0); }
// In (0, 1): never 0, so that log() stays finite. The addition rounds as C++'s float one does.
float heed_open_unit(uint word) {
  precise float shifted = float(word >> 8) + 0.5;
  precise float result = shifted * (1.0 / 16777216.0);
  return result;
}

float heed_uniform(uint seed, uint counter, uint index) { return heed_unit(heed_bits(seed, counter, index, 0u)); }

// Normal and Gumbel values call log, cos and sqrt. With HEED_FP64 (devices with shaderFloat64)
// they are glibc's, so the values equal the CPU's bit for bit; without it they are the
// device's, equal within a few ulp.
#ifdef HEED_FP64
#include "glibc_math.glsl"
#define heed_random_log heed_glibc_logf
#define heed_random_cos heed_glibc_cosf
#define heed_random_sqrt heed_glibc_sqrtf
#else
#define heed_random_log log
#define heed_random_cos cos
#define heed_random_sqrt sqrt
#endif

float heed_normal(uint seed, uint counter, uint index) {
  float u1 = heed_open_unit(heed_bits(seed, counter, index, 0u));
  float u2 = heed_unit(heed_bits(seed, counter, index, 1u));
  precise float angle = 6.2831853071795864769 * u2;
  precise float radius = heed_random_sqrt(-2.0 * heed_random_log(u1));
  precise float result = radius * heed_random_cos(angle);
  return result;
}

float heed_gumbel(uint seed, uint counter, uint index) {
  return -heed_random_log(-heed_random_log(heed_open_unit(heed_bits(seed, counter, index, 0u))));
}

#endif
