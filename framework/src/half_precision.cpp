#include <heed/half_precision.hpp>

#include <bit>

namespace heed {

bfloat16::bfloat16(float value) {
  const uint32_t word = std::bit_cast<uint32_t>(value);
  if ((word & 0x7fffffffu) > 0x7f800000u) {
    bits = static_cast<uint16_t>((word >> 16) | 0x0040u);  // NaN: keep the sign and the top bits, set the quiet bit
    return;
  }
  // Adding 0x7fff (plus the lowest kept bit, for ties) carries into the kept half exactly when
  // the dropped half is above one half (or at one half and the kept half is odd).
  bits = static_cast<uint16_t>((word + 0x7fffu + ((word >> 16) & 1u)) >> 16);
}

bfloat16::operator float() const { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

bfloat16 bfloat16::from_bits(uint16_t bits) {
  bfloat16 value;
  value.bits = bits;
  return value;
}

float16::float16(float value) {
  const uint32_t word = std::bit_cast<uint32_t>(value);
  const auto sign = static_cast<uint16_t>((word >> 16) & 0x8000u);
  const uint32_t magnitude = word & 0x7fffffffu;
  if (magnitude > 0x7f800000u) {
    bits = static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  } else if (magnitude >= 0x477ff000u) {
    bits = sign | 0x7c00u;  // 65520 and above round to infinity (65504 is the largest float16)
  } else if (magnitude >= 0x38800000u) {
    // A normal float16: round away the 13 low bits of the significand, then move the exponent's
    // bias from 127 to 15. A carry out of the significand correctly bumps the exponent.
    const uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
    bits = static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
  } else {
    // A subnormal float16 counts units of 2^-24. Adding 0.5, whose last significand bit is worth
    // 2^-24, lets the FPU round to that unit (to nearest, ties to even) for us.
    const float shifted = std::bit_cast<float>(magnitude) + 0.5f;
    bits = static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(shifted) - 0x3f000000u));
  }
}

float16::operator float() const {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu, significand = bits & 0x3ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (significand << 13));
  if (exponent == 0) {
    const float magnitude = static_cast<float>(significand) * 0x1p-24f;  // exact: at most 10 bits
    return sign ? -magnitude : magnitude;
  }
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (significand << 13));
}

float16 float16::from_bits(uint16_t bits) {
  float16 value;
  value.bits = bits;
  return value;
}

}  // namespace heed
