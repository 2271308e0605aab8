#pragma once
// The 16-bit floating-point storage types: bfloat16 (f32's exponent, 8 bits of significand) and
// IEEE float16 (5 exponent bits, 11 of significand). Conversions from float round to nearest,
// ties to even, keep NaN a (quiet) NaN and overflow to infinity; conversions to float are exact.
#include <cstdint>

namespace heed {

struct bfloat16 {
  uint16_t bits = 0;

  bfloat16() = default;
  explicit bfloat16(float value);
  explicit operator float() const;
  static bfloat16 from_bits(uint16_t bits);
};

struct float16 {
  uint16_t bits = 0;

  float16() = default;
  explicit float16(float value);
  explicit operator float() const;
  static float16 from_bits(uint16_t bits);
};

}  // namespace heed
