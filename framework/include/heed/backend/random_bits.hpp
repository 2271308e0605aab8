#pragma once
// The counter-based generator every backend implements bit for bit (shaders/random.glsl repeats
// it in GLSL): element `index` of the stream (seed, counter) is a pure function of the three, so
// results depend neither on the backend nor on the thread count.
#include <cmath>
#include <cstdint>

namespace heed::random_bits {

constexpr uint32_t mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// lane selects one of several independent words for the same element (Box-Muller needs two).
constexpr uint32_t bits(uint32_t seed, uint32_t counter, uint32_t index, uint32_t lane = 0) {
  return mix(mix(mix(index * 2u + lane) ^ counter) + seed * 0x9e3779b9U);
}

// In [0, 1): 24 random bits.
constexpr float unit(uint32_t word) { return static_cast<float>(word >> 8) * 0x1p-24f; }
// In (0, 1): never 0, so that log() stays finite.
constexpr float open_unit(uint32_t word) { return (static_cast<float>(word >> 8) + 0.5f) * 0x1p-24f; }

inline float uniform(uint32_t seed, uint32_t counter, uint32_t index) { return unit(bits(seed, counter, index)); }

inline float normal(uint32_t seed, uint32_t counter, uint32_t index) {
  float u1 = open_unit(bits(seed, counter, index, 0));
  float u2 = unit(bits(seed, counter, index, 1));
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864769f * u2);
}

inline float gumbel(uint32_t seed, uint32_t counter, uint32_t index) {
  return -std::log(-std::log(open_unit(bits(seed, counter, index))));
}

}  // namespace heed::random_bits
