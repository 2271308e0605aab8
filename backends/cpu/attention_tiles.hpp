#pragma once
// The inner loops of the fused attention kernels (attention.cpp), on tiles of 64 keys held as
// four vectors of 16 floats. They are written with GCC's vector extensions because plain loops
// left the accumulators in memory (a load and a store around every multiply-add) and kept float
// sums sequential; with vector types the accumulators live in registers. Every function is
// always inlined into the task functions, which are compiled once per instruction set
// (target_clones), so the same source becomes AVX-512, AVX2 or SSE2 code. Vectors are passed by
// reference: by value their ABI would differ between those clones (GCC's -Wpsabi).
#include <algorithm>
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

// Lanes halved until one is left: four dependent steps instead of fifteen. The order is fixed,
// so a sum has the same bits wherever it is formed.
HEED_INLINE float horizontal_sum(const Lanes& v) {
  using Half = float __attribute__((vector_size(32)));
  using Quarter = float __attribute__((vector_size(16)));
  const Half eight = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const Quarter four = __builtin_shufflevector(eight, eight, 0, 1, 2, 3) + __builtin_shufflevector(eight, eight, 4, 5, 6, 7);
  return (four[0] + four[2]) + (four[1] + four[3]);
}

HEED_INLINE float horizontal_max(const Lanes& v) {
  using Half = float __attribute__((vector_size(32)));
  using Quarter = float __attribute__((vector_size(16)));
  const Half low = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), high = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const Half eight = high > low ? high : low;
  const Quarter a = __builtin_shufflevector(eight, eight, 0, 1, 2, 3), b = __builtin_shufflevector(eight, eight, 4, 5, 6, 7);
  const Quarter four = b > a ? b : a;
  const float x = four[2] > four[0] ? four[2] : four[0], y = four[3] > four[1] ? four[3] : four[1];
  return y > x ? y : x;
}

// The 16 x 16 block of x at rows `stride` floats apart, transposed into rows of t `t_stride`
// floats apart: four rounds of interleaving each row j with row j + 8 take a square of 16 to its
// transpose, in registers, where element-wise copies cost a load and a store each.
HEED_INLINE void transpose_block(const float* __restrict x, int64_t stride, float* __restrict t, int64_t t_stride) {
  Lanes v[lanes], next[lanes];
  for (int64_t r = 0; r < lanes; ++r) load(v[r], x + r * stride);
  for (int round = 0; round < 4; ++round) {
    for (int64_t j = 0; j < lanes / 2; ++j) {
      next[2 * j] = __builtin_shufflevector(v[j], v[j + 8], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      next[2 * j + 1] = __builtin_shufflevector(v[j], v[j + 8], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    }
    for (int64_t j = 0; j < lanes; ++j) v[j] = next[j];
  }
  for (int64_t d = 0; d < lanes; ++d) store(t + d * t_stride, v[d]);
}

// A tile of `cols` rows of x (`stride` floats apart, `width` wide) transposed into
// t [width][key_tile], zero-padded.
HEED_INLINE void transpose_tile(const float* __restrict x, int64_t stride, int64_t cols, int64_t width, float* __restrict t) {
  const int64_t full_columns = width % lanes == 0 ? cols / lanes * lanes : 0;
  for (int64_t c = 0; c < full_columns; c += lanes)
    for (int64_t d = 0; d < width; d += lanes) transpose_block(x + c * stride + d, stride, t + d * key_tile + c, key_tile);
  for (int64_t d = 0; d < width; ++d) {
    float* column = t + d * key_tile;
    for (int64_t c = full_columns; c < cols; ++c) column[c] = x[c * stride + d];
    for (int64_t c = cols; c < key_tile; ++c) column[c] = 0;
  }
}

// The causal band of a (query tile, key tile): row r of the tile sees its first
// min(key_tile, max(0, start + r)) columns (start = i0 + Tk - Tq - j0 + 1 for a causal tile,
// key_tile for one that sees every key). Products and sums leave out what lies past the band:
// those scores are masked there and their weights exactly 0.
struct Band {
  int64_t start = key_tile;
  int64_t visible(int64_t r) const { return std::clamp<int64_t>(start + r, 0, key_tile); }
  int64_t first_row(int64_t c) const { return std::max<int64_t>(0, c - start + 1); }  // the first row that sees column c
};

// s[r][c] = scale * a_r . bt[:, c] for r < Rows and the first Vectors * 16 columns of the tile,
// 0 in the rest, a_r = a + r * a_stride: the tile's scores (a = q, bt = k^T) or dp (a = do,
// bt = v^T, scale 1). Rows rows at a time share the loads of bt; each element is the same
// sequential sum over d whatever the grouping.
template <int Rows, int64_t Vectors>
HEED_INLINE void rows_times_tile_block(const float* __restrict a, int64_t a_stride, int64_t depth, const float* __restrict bt, float scale,
                                       float* __restrict s) {
  Lanes sum[Rows][tile_vectors] = {};
  for (int64_t d = 0; d < depth; ++d) {
    Lanes b[tile_vectors];
    for (int64_t k = 0; k < Vectors; ++k) load(b[k], bt + d * key_tile + k * lanes);
    for (int r = 0; r < Rows; ++r) {
      const float x = a[r * a_stride + d];
      for (int64_t k = 0; k < Vectors; ++k) sum[r][k] += x * b[k];
    }
  }
  for (int r = 0; r < Rows; ++r)
    for (int64_t k = 0; k < tile_vectors; ++k) store(s + r * key_tile + k * lanes, k < Vectors ? sum[r][k] * scale : Lanes{});
}

// rows_times_tile_block over the vectors a block of rows whose last sees `visible` columns needs.
template <int Rows>
HEED_INLINE void rows_times_tile_visible(const float* __restrict a, int64_t a_stride, int64_t depth, const float* __restrict bt, float scale,
                                         float* __restrict s, int64_t visible) {
  switch ((visible + lanes - 1) / lanes) {
    case 0: rows_times_tile_block<Rows, 0>(a, a_stride, depth, bt, scale, s); break;
    case 1: rows_times_tile_block<Rows, 1>(a, a_stride, depth, bt, scale, s); break;
    case 2: rows_times_tile_block<Rows, 2>(a, a_stride, depth, bt, scale, s); break;
    case 3: rows_times_tile_block<Rows, 3>(a, a_stride, depth, bt, scale, s); break;
    default: rows_times_tile_block<Rows, tile_vectors>(a, a_stride, depth, bt, scale, s);
  }
}

HEED_INLINE void rows_times_tile(const float* __restrict a, int64_t a_stride, int64_t rows, int64_t depth, const float* __restrict bt,
                                 float scale, float* __restrict s, const Band& band) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) rows_times_tile_visible<4>(a + r * a_stride, a_stride, depth, bt, scale, s + r * key_tile, band.visible(r + 3));
  for (; r < rows; ++r) rows_times_tile_visible<1>(a + r * a_stride, a_stride, depth, bt, scale, s + r * key_tile, band.visible(r));
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

// The sum of exp(row[c] - shift); where `out` is given (it may be row itself), out[c] becomes
// exp(row[c] - shift) * factor.
HEED_INLINE float exp_sum(const float* row, float shift, float* out = nullptr, float factor = 1.0f) {
  Lanes total{};
  for (int64_t k = 0; k < tile_vectors; ++k) {
    Lanes v;
    load(v, row + k * lanes);
    v -= shift;
    exp_le0(v);
    total += v;
    if (out) store(out + k * lanes, v * factor);
  }
  return horizontal_sum(total);
}

// row[c] = exp(row[c] - shift) * factor; returns the sum of exp(row[c] - shift).
HEED_INLINE float exp_tile(float* row, float shift, float factor) { return exp_sum(row, shift, row, factor); }

// Which terms [begin, end) of a sum a block of output rows needs; the others are zero.
struct Terms {
  int64_t begin, end;
};

// For each r < Rows: y_r[0, Width) = y_r * keep_r + sum over i in terms of c_r[i * stride] * x_i,
// where y_r = y + r * y_step, c_r = coefficient + r * coefficient_step, keep_r = keep[r * keep_step]
// and x_i = x + i * x_stride: rows of p v, ds k, p^T do or ds^T q. The Rows rows share each load
// of x_i (one load per Rows multiply-adds instead of one per multiply-add), and narrow rows keep
// two partial sums each, even terms in one and odd in the other, so that the multiply-adds do not
// wait on each other. The terms left out are zeros, so a row's sum has the same bits in a block or
// alone, with its band or without.
template <int64_t Width, int Rows>
HEED_INLINE void accumulate_rows(float* __restrict y, int64_t y_step, const float* __restrict keep, int64_t keep_step,
                                 const float* __restrict coefficient, int64_t coefficient_step, int64_t stride, const float* __restrict x,
                                 int64_t x_stride, Terms terms) {
  constexpr int64_t vectors = Width / lanes;
  constexpr int chains = vectors >= 4 ? 1 : 2;
  Lanes sum[Rows][chains][vectors] = {};
  int64_t i = terms.begin / chains * chains;
  for (; i + chains <= terms.end; i += chains)
    for (int chain = 0; chain < chains; ++chain) {
      Lanes v[vectors];
      for (int64_t k = 0; k < vectors; ++k) load(v[k], x + (i + chain) * x_stride + k * lanes);
      for (int r = 0; r < Rows; ++r) {
        const float a = coefficient[r * coefficient_step + (i + chain) * stride];
        for (int64_t k = 0; k < vectors; ++k) sum[r][chain][k] += a * v[k];
      }
    }
  for (; i < terms.end; ++i) {
    Lanes v[vectors];
    for (int64_t k = 0; k < vectors; ++k) load(v[k], x + i * x_stride + k * lanes);
    for (int r = 0; r < Rows; ++r) {
      const float a = coefficient[r * coefficient_step + i * stride];
      for (int64_t k = 0; k < vectors; ++k) sum[r][0][k] += a * v[k];
    }
  }
  for (int r = 0; r < Rows; ++r)
    for (int64_t k = 0; k < vectors; ++k) {
      Lanes old, total = sum[r][0][k];
      if constexpr (chains == 2) total += sum[r][1][k];
      load(old, y + r * y_step + k * lanes);
      store(y + r * y_step + k * lanes, old * keep[r * keep_step] + total);
    }
}

// accumulate_rows for `count` rows, four at a time, of any width w (FixedWidth when it is a
// multiple of 16 known at compile time, else a plain loop). terms_of(r, k) gives the terms the
// rows [r, r + k) need.
template <int64_t FixedWidth, class TermsOf>
HEED_INLINE void accumulate(float* __restrict y, int64_t y_step, const float* keep, int64_t keep_step, const float* __restrict coefficient,
                            int64_t coefficient_step, int64_t stride, const float* __restrict x, int64_t x_stride, const TermsOf& terms_of,
                            int64_t count, int64_t w) {
  if constexpr (FixedWidth > 0 && FixedWidth % lanes == 0) {
    int64_t r = 0;
    for (; r + 4 <= count; r += 4)
      accumulate_rows<FixedWidth, 4>(y + r * y_step, y_step, keep + r * keep_step, keep_step, coefficient + r * coefficient_step,
                                     coefficient_step, stride, x, x_stride, terms_of(r, 4));
    for (; r < count; ++r)
      accumulate_rows<FixedWidth, 1>(y + r * y_step, y_step, keep + r * keep_step, keep_step, coefficient + r * coefficient_step,
                                     coefficient_step, stride, x, x_stride, terms_of(r, 1));
  } else {
    for (int64_t r = 0; r < count; ++r) {
      float* yr = y + r * y_step;
      const float* cr = coefficient + r * coefficient_step;
      const Terms terms = terms_of(r, 1);
      for (int64_t e = 0; e < w; ++e) yr[e] *= keep[r * keep_step];
      for (int64_t i = terms.begin; i < terms.end; ++i) {
        const float a = cr[i * stride];
        const float* xi = x + i * x_stride;
        for (int64_t e = 0; e < w; ++e) yr[e] += a * xi[e];
      }
    }
  }
}

#undef HEED_INLINE

}  // namespace heed::cpu::attention_tiles
