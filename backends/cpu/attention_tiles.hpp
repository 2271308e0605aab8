#pragma once
// The inner loops of the fused attention kernels (attention.cpp), on tiles of 64 keys held as
// four vectors of 16 floats. They are written with GCC's vector extensions because plain loops
// left the accumulators in memory (a load and a store around every multiply-add) and kept float
// sums sequential; with vector types the accumulators live in registers. Every function is
// always inlined into the task functions, which are compiled once per instruction set
// (target_clones), so the same source becomes AVX-512, AVX2 or SSE2 code. Vectors are passed by
// reference: by value their ABI would differ between those clones (GCC's -Wpsabi).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace heed::cpu::attention_tiles {

#define HEED_INLINE [[gnu::always_inline]] inline

using Lanes = float __attribute__((vector_size(64)));
using IntLanes = int32_t __attribute__((vector_size(64)));
inline constexpr int64_t lanes = 16;
inline constexpr int64_t key_tile = 64;  // keys per tile: four vectors
inline constexpr int64_t tile_vectors = key_tile / lanes;
inline constexpr float no_key = -std::numeric_limits<float>::infinity();  // padding past the last key: weight 0

HEED_INLINE void load(Lanes& v, const float* p) { std::memcpy(&v, p, sizeof v); }
HEED_INLINE void store(float* p, const Lanes& v) { std::memcpy(p, &v, sizeof v); }

// exp(x) in place, for x <= 0 up to rounding (scores minus a row maximum): Cody-Waite reduction to
// r in [-ln2/2, ln2/2], Cephes' expf polynomial (about 1 ulp), times 2^n built in the exponent
// bits. Below -87.3 (masked scores, padding) it gives 0. std::exp does not vectorise without
// -ffast-math, which would change the rest of the file's arithmetic.
HEED_INLINE void exp_le0(Lanes& x) {
  const Lanes floor_value = Lanes{} - 87.3f;
  const auto underflow = x < floor_value;
  const Lanes clamped = underflow ? floor_value : x;
  constexpr float round = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const Lanes n = (clamped * 1.44269504088896341f + round) - round;
  const Lanes r = (clamped - n * 0.693359375f) - n * -2.12194440e-4f;
  Lanes y = r * 1.9875691500e-4f + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  const IntLanes exponent = (__builtin_convertvector(n, IntLanes) + 127) << 23;
  Lanes power;
  std::memcpy(&power, &exponent, sizeof power);
  x = underflow ? Lanes{} : y * power;
}

HEED_INLINE float horizontal_sum(const Lanes& v) {
  float total = 0;
  for (int64_t l = 0; l < lanes; ++l) total += v[l];
  return total;
}

HEED_INLINE float horizontal_max(const Lanes& v) {
  float top = v[0];
  for (int64_t l = 1; l < lanes; ++l) top = v[l] > top ? v[l] : top;
  return top;
}

// A tile of `cols` rows of x [.., width] transposed into t [width][key_tile], zero-padded.
HEED_INLINE void transpose_tile(const float* __restrict x, int64_t cols, int64_t width, float* __restrict t) {
  for (int64_t d = 0; d < width; ++d) {
    float* column = t + d * key_tile;
    for (int64_t c = 0; c < cols; ++c) column[c] = x[c * width + d];
    for (int64_t c = cols; c < key_tile; ++c) column[c] = 0;
  }
}

// s[r][c] = scale * a_r . bt[:, c] for r < rows and every c of the tile: the tile's scores (a = q,
// bt = k^T) or dp (a = do, bt = v^T, scale 1). Two rows at a time share the loads of bt.
HEED_INLINE void rows_times_tile(const float* __restrict a, int64_t rows, int64_t depth, const float* __restrict bt, float scale,
                                 float* __restrict s) {
  int64_t r = 0;
  for (; r + 2 <= rows; r += 2) {
    Lanes first[tile_vectors] = {}, second[tile_vectors] = {};
    const float *a0 = a + r * depth, *a1 = a0 + depth;
    for (int64_t d = 0; d < depth; ++d) {
      const float x0 = a0[d], x1 = a1[d];
      for (int64_t k = 0; k < tile_vectors; ++k) {
        Lanes b;
        load(b, bt + d * key_tile + k * lanes);
        first[k] += x0 * b;
        second[k] += x1 * b;
      }
    }
    for (int64_t k = 0; k < tile_vectors; ++k) {
      store(s + r * key_tile + k * lanes, first[k] * scale);
      store(s + (r + 1) * key_tile + k * lanes, second[k] * scale);
    }
  }
  for (; r < rows; ++r) {
    Lanes only[tile_vectors] = {};
    for (int64_t d = 0; d < depth; ++d)
      for (int64_t k = 0; k < tile_vectors; ++k) {
        Lanes b;
        load(b, bt + d * key_tile + k * lanes);
        only[k] += a[r * depth + d] * b;
      }
    for (int64_t k = 0; k < tile_vectors; ++k) store(s + r * key_tile + k * lanes, only[k] * scale);
  }
}

HEED_INLINE float tile_maximum(const float* row) {
  Lanes top, v;
  load(top, row);
  for (int64_t k = 1; k < tile_vectors; ++k) {
    load(v, row + k * lanes);
    top = v > top ? v : top;
  }
  return horizontal_max(top);
}

// row[c] = exp(row[c] - shift) * factor; returns the sum of exp(row[c] - shift).
HEED_INLINE float exp_tile(float* row, float shift, float factor) {
  Lanes total{};
  for (int64_t k = 0; k < tile_vectors; ++k) {
    Lanes v;
    load(v, row + k * lanes);
    v -= shift;
    exp_le0(v);
    total += v;
    store(row + k * lanes, v * factor);
  }
  return horizontal_sum(total);
}

// The sum of exp(row[c] - shift), the row left as it is.
HEED_INLINE float exp_sum(const float* row, float shift) {
  Lanes total{};
  for (int64_t k = 0; k < tile_vectors; ++k) {
    Lanes v;
    load(v, row + k * lanes);
    v -= shift;
    exp_le0(v);
    total += v;
  }
  return horizontal_sum(total);
}

// y[0, w) = y * keep + sum over i < n of coefficient[i * stride] * x[i][0, w): a row of p v,
// ds k, p^T do or ds^T q. With a width known at compile time that is a multiple of 16 the row
// stays in registers.
template <int64_t FixedWidth>
HEED_INLINE void accumulate(float* __restrict y, float keep, const float* __restrict coefficient, int64_t stride, const float* __restrict x,
                            int64_t n, int64_t w) {
  if constexpr (FixedWidth > 0 && FixedWidth % lanes == 0) {
    // Four partial sums per vector, so that the multiply-adds do not wait on each other (one
    // chain would be bound by the FMA latency for the narrow heads, 16 or 32 wide).
    constexpr int64_t vectors = FixedWidth / lanes, chains = 4;
    Lanes sum[chains][vectors] = {};
    int64_t i = 0;
    for (; i + chains <= n; i += chains)
      for (int64_t chain = 0; chain < chains; ++chain) {
        const float a = coefficient[(i + chain) * stride];
        for (int64_t k = 0; k < vectors; ++k) {
          Lanes v;
          load(v, x + (i + chain) * FixedWidth + k * lanes);
          sum[chain][k] += a * v;
        }
      }
    for (; i < n; ++i) {
      const float a = coefficient[i * stride];
      for (int64_t k = 0; k < vectors; ++k) {
        Lanes v;
        load(v, x + i * FixedWidth + k * lanes);
        sum[0][k] += a * v;
      }
    }
    for (int64_t k = 0; k < vectors; ++k) {
      Lanes old;
      load(old, y + k * lanes);
      store(y + k * lanes, old * keep + ((sum[0][k] + sum[1][k]) + (sum[2][k] + sum[3][k])));
    }
  } else {
    for (int64_t e = 0; e < w; ++e) y[e] *= keep;
    for (int64_t i = 0; i < n; ++i) {
      const float a = coefficient[i * stride];
      const float* xi = x + i * w;
      for (int64_t e = 0; e < w; ++e) y[e] += a * xi[e];
    }
  }
}

#undef HEED_INLINE

}  // namespace heed::cpu::attention_tiles
