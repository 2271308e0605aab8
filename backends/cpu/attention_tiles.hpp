#pragma once
// What the fused attention's kernels share whatever the instruction set: tiles of 64 keys, the
// padding past the last key, and the causal band of a tile. The loops over a tile's vectors are
// in attention_lanes.inc, compiled once per vector width.
#include <algorithm>
#include <cstdint>
#include <limits>

namespace heed::cpu::attention_tiles {

inline constexpr int64_t key_tile = 64;  // keys per tile
inline constexpr float no_key = -std::numeric_limits<float>::infinity();  // padding past the last key: weight 0

// The causal band of a (query tile, key tile): row r of the tile sees its first
// min(key_tile, max(0, start + r)) columns (start = i0 + Tk - Tq - j0 + 1 for a causal tile,
// key_tile for one that sees every key). Products and sums leave out what lies past the band:
// those scores are masked there and their weights exactly 0.
struct Band {
  int64_t start = key_tile;
  int64_t visible(int64_t r) const { return std::clamp<int64_t>(start + r, 0, key_tile); }
  int64_t first_row(int64_t c) const { return std::max<int64_t>(0, c - start + 1); }  // the first row that sees column c
};

// Which terms [begin, end) of a sum a block of output rows needs; the others are zero.
struct Terms {
  int64_t begin, end;
};

}  // namespace heed::cpu::attention_tiles
