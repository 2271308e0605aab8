#pragma once
// Counter-based random numbers: draw `draw` of item `index` is a pure function of (seed, index,
// draw). A data stream's whole state is then two integers, so resuming a run from a checkpoint
// is seek(position) rather than replaying or serialising a generator.
#include <cstdint>

namespace heed::data {

// The splitmix64 finaliser: a bijection on 64-bit words with good avalanche.
constexpr uint64_t mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr uint64_t counter_random(uint64_t seed, uint64_t index, uint64_t draw = 0) {
  uint64_t x = mix64(seed + 0x9e3779b97f4a7c15ull);
  x = mix64(x ^ (index * 0xd1b54a32d192ed03ull));
  return mix64(x ^ (draw + 0x8cb92ba72f3d8dd7ull));
}

// A uniform integer in [0, n). The modulo bias is below n / 2^64, far under anything a data
// sampler could notice for the n used here (at most a few million).
constexpr uint64_t below(uint64_t bits, uint64_t n) { return bits % n; }

// A plain, copyable stream state: what a trainer stores to resume sampling exactly.
struct CounterStream {
  uint64_t seed = 0;
  uint64_t position = 0;  // draws taken so far

  uint64_t next() { return counter_random(seed, position++); }
  uint64_t next_below(uint64_t n) { return below(next(), n); }
};

}  // namespace heed::data
