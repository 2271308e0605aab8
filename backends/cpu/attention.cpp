// Fused attention and its backward op (docs/ops.md), FlashAttention-2 style: the [Tq, Tk] scores
// are never held, only one tile of them per thread, so memory stays linear in the sequence.
//
// Forward: per (batch, tile of queries), walk the key tiles with an online softmax (running row
// maximum and sum, the output rescaled as the maximum grows). Causal tiles past the diagonal are
// skipped. The forward leaves each row's maximum and 1 / sum for the backward of the same
// attention (matched through its output o), so the backward need not compute every score once
// more; given another o it recomputes them. Backward: one pass per (batch, query tile) takes or
// recomputes each row's maximum and sum, keeps them with D_i = do_i . o_i, and accumulates dq;
// a second pass per (batch, key tile) accumulates dk and dv. With many batch elements (heads x
// batch) each element is one task instead, which does the same per-row work in the same order
// with less recomputation. Each output element is summed by one task in a fixed order, so the
// results do not depend on the thread count and need no atomics.
//
// Masked scores are masked_logit (-1e30) as in the composite. A row whose visible scores are all
// masked is uniform over all Tk keys there (exp(0) everywhere), the keys past the causal
// diagonal included, which the skipped tiles cannot see: such rows are found by their maximum
// and handled apart (o = the mean of v; dv_j += do_i / Tk; no gradient to q or k).
//
// The library is built for any x86-64, so the task functions are compiled three times
// (target_clones: AVX-512, AVX2 + FMA, baseline) and the loader picks one; the inner loops
// (attention_tiles.hpp) work on tiles of 64 keys in vector registers. The common head widths are
// template constants, so the loops over a row of v, k, q or do also stay in registers.
#include "attention_tiles.hpp"
#include "kernel.hpp"
#include "parallel.hpp"

#include <heed/backend/attention_layout.hpp>
#include <heed/ops.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

namespace heed::cpu {

namespace {

using namespace attention_tiles;

constexpr int64_t query_tile = 32;
constexpr float masked_score = static_cast<float>(masked_logit);
constexpr float one = 1.0f;  // the keep factor of sums that only add

#define HEED_ISA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define HEED_INLINE [[gnu::always_inline]] inline

// Where the mask (broadcast to [batch..., Tq, Tk]) keeps a score: non-zero keeps.
struct Mask {
  const float* f32 = nullptr;
  const int32_t* i32 = nullptr;
  std::vector<int64_t> batch_offsets;  // per flattened batch index
  int64_t row_stride = 0, column_stride = 0;

  bool present() const { return f32 || i32; }
  bool keeps(int64_t b, int64_t i, int64_t j) const {
    const int64_t at = batch_offsets[static_cast<size_t>(b)] + i * row_stride + j * column_stride;
    return f32 ? f32[at] != 0.0f : i32[at] != 0;
  }
};

// An operand's rows (attention_layout.hpp): row i of problem b at at(b, i), `stride` floats
// after row i - 1.
template <class Float>
struct Rows {
  Float* data = nullptr;
  AttentionRows layout;
  Float* at(int64_t b, int64_t i) const { return data + layout.at(b, i); }
  int64_t stride() const { return layout.row; }
};

// Everything the tasks read, fixed at compile time. `out` is the forward's o; o, dout, dq, dk,
// dv and the row deltas are the backward's.
struct Problem {
  Rows<const float> q, k, v, o, dout;
  Rows<float> out, dq, dk, dv;
  Mask mask;
  int64_t batch = 0, queries = 0, keys = 0, width = 0, value_width = 0;
  int64_t offset = 0;  // Tk - Tq: query i sees keys j <= i + offset when causal
  float scale = 1;
  bool causal = false;
  // Per (batch, query) row its score maximum, 1 / sum (0 for a fully masked row) and, backward, D.
  // The forward leaves the first two for the backward of the same attention, which then takes
  // them as given instead of recomputing every score once more.
  float *row_max = nullptr, *row_inverse_sum = nullptr, *row_delta = nullptr;
  bool statistics_given = false;

  int64_t query_tiles() const { return (queries + query_tile - 1) / query_tile; }
  int64_t key_tiles() const { return (keys + key_tile - 1) / key_tile; }
  // Keys [0, end) are all a query tile can see (a causal tile stops at its last row's diagonal).
  int64_t visible_keys(int64_t i0, int64_t rows) const { return causal ? std::clamp<int64_t>(i0 + rows + offset, 0, keys) : keys; }
  // The causal band of the (query tile at i0, key tile at j0).
  Band band(int64_t i0, int64_t j0) const { return causal ? Band{i0 + offset - j0 + 1} : Band{}; }
};

// One thread's tiles, in floats; every part starts on a 64-byte line.
struct ScratchLayout {
  // k^T and v^T of a key tile, scores (then p), dp (then ds), a query tile's o or dq, a key tile's
  // dk and dv, the running row maximum and sum, and each row's rescaling for the current key tile.
  int64_t kt, vt, scores, weights, row_tile, dk_tile, dv_tile, row_max, row_sum, row_rescale, total;
  ScratchLayout(int64_t width, int64_t value_width) {
    int64_t at = 0;
    auto take = [&at](int64_t floats) {
      int64_t start = at;
      at += (floats + 15) / 16 * 16;
      return start;
    };
    kt = take(width * key_tile);
    vt = take(value_width * key_tile);
    scores = take(query_tile * key_tile);
    weights = take(query_tile * key_tile);
    row_tile = take(query_tile * std::max(width, value_width));
    dk_tile = take(key_tile * width);
    dv_tile = take(key_tile * value_width);
    row_max = take(query_tile);
    row_sum = take(query_tile);
    row_rescale = take(query_tile);
    total = at;
  }
};

// The terms of a sum over a key tile's columns that the query rows [r, r + k) need, and of a sum
// over a query tile's rows that the key columns [c, c + k) need.
HEED_INLINE auto key_terms(const Band& band, int64_t cols) {
  return [band, cols](int64_t r, int64_t k) { return Terms{0, std::min(cols, band.visible(r + k - 1))}; };
}
HEED_INLINE auto query_terms(const Band& band, int64_t rows) {
  return [band, rows](int64_t c, int64_t) { return Terms{std::min(rows, band.first_row(c)), rows}; };
}

// A scalar exp for the per-row rescaling factors (exp of a maximum's change, <= 0).
HEED_INLINE float rescaling(float from, float to) { return from == no_key ? 0.0f : std::exp(from - to); }

// The scores of a (query tile, key tile): scale * q . k, masked_score where masked, no_key past
// the last key.
HEED_INLINE void score_tile(const Problem& p, int64_t b, int64_t i0, int64_t rows, int64_t j0, int64_t cols, const float* kt, int64_t width,
                            float* s) {
  rows_times_tile(p.q.at(b, i0), p.q.stride(), rows, width, kt, p.scale, s, p.band(i0, j0));
  // Only tiles at the last key, on the causal diagonal or under a mask need fixing up.
  const bool on_diagonal = p.causal && j0 + cols - 1 > i0 + p.offset;
  if (cols == key_tile && !on_diagonal && !p.mask.present()) return;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = s + r * key_tile;
    for (int64_t c = cols; c < key_tile; ++c) row[c] = no_key;
    if (p.causal)
      for (int64_t c = std::max<int64_t>(0, i0 + r + p.offset - j0 + 1); c < cols; ++c) row[c] = masked_score;
    if (p.mask.present())
      for (int64_t c = 0; c < cols; ++c)
        if (!p.mask.keeps(b, i0 + r, j0 + c)) row[c] = masked_score;
  }
}

// A row is fully masked when no visible score beat masked_logit (or it saw no key at all).
HEED_INLINE bool fully_masked(float top) { return top <= masked_score; }

// o_i = the mean of every v_j: the uniform softmax of a fully masked row.
HEED_INLINE void mean_of_values(const Problem& p, int64_t b, int64_t value_width, float* o) {
  for (int64_t e = 0; e < value_width; ++e) o[e] = 0;
  for (int64_t j = 0; j < p.keys; ++j) {
    const float* v = p.v.at(b, j);
    for (int64_t e = 0; e < value_width; ++e) o[e] += v[e];
  }
  const float inverse = 1.0f / static_cast<float>(p.keys);
  for (int64_t e = 0; e < value_width; ++e) o[e] *= inverse;
}

// The first query tile that sees the key tile at j0 (the first query that sees key j0 is
// j0 - offset when causal).
HEED_INLINE int64_t first_query_tile(const Problem& p, int64_t j0) {
  return p.causal ? std::clamp<int64_t>(j0 - p.offset, 0, p.queries) / query_tile * query_tile : 0;
}

// Task index -> (batch, query tile), the last tiles (the most keys when causal) first.
HEED_INLINE std::pair<int64_t, int64_t> query_task(const Problem& p, int64_t task) {
  const int64_t tiles = p.query_tiles();
  return {task / tiles, (tiles - 1 - task % tiles) * query_tile};
}

template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void forward_task(const Problem& p, int64_t task, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *s = scratch + layout.scores, *acc = scratch + layout.row_tile;
  float *top = scratch + layout.row_max, *sum = scratch + layout.row_sum, *rescale = scratch + layout.row_rescale;
  const auto [b, i0] = query_task(p, task);
  const int64_t rows = std::min(query_tile, p.queries - i0);
  for (int64_t r = 0; r < rows; ++r) {
    top[r] = no_key;
    sum[r] = 0;
    for (int64_t e = 0; e < value_width; ++e) acc[r * value_width + e] = 0;
  }
  const int64_t end = p.visible_keys(i0, rows);
  for (int64_t j0 = 0; j0 < end; j0 += key_tile) {
    const int64_t cols = std::min(key_tile, p.keys - j0);
    transpose_tile(p.k.at(b, j0), p.k.stride(), cols, width, kt);
    score_tile(p, b, i0, rows, j0, cols, kt, width, s);
    for (int64_t r = 0; r < rows; ++r) {
      float* row = s + r * key_tile;
      const float next = std::max(top[r], tile_maximum(row));
      rescale[r] = rescaling(top[r], next);
      sum[r] = sum[r] * rescale[r] + exp_tile(row, next, 1.0f);
      top[r] = next;
    }
    accumulate<FixedValueWidth>(acc, value_width, rescale, 1, s, key_tile, 1, p.v.at(b, j0), p.v.stride(), key_terms(p.band(i0, j0), cols), rows,
                                value_width);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t at = b * p.queries + i0 + r;
    float* out = p.out.at(b, i0 + r);
    p.row_max[at] = top[r];
    if (fully_masked(top[r])) {
      p.row_inverse_sum[at] = 0.0f;
      mean_of_values(p, b, value_width, out);
      continue;
    }
    const float inverse = 1.0f / sum[r];
    p.row_inverse_sum[at] = inverse;
    for (int64_t e = 0; e < value_width; ++e) out[e] = acc[r * value_width + e] * inverse;
  }
}

// The forward with many batch elements, one task per element: the same updates of each row in
// the same order as forward_task, but with key tiles outermost, so each is transposed once.
// The running row maximum and sum live in the kernel's statistics buffer, the output rows
// accumulate in place.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void forward_batch_task(const Problem& p, int64_t b, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *s = scratch + layout.scores, *rescale = scratch + layout.row_rescale;
  float *top = p.row_max + b * p.queries, *sum = p.row_inverse_sum + b * p.queries;
  for (int64_t i = 0; i < p.queries; ++i) {
    top[i] = no_key;
    sum[i] = 0;
    float* o = p.out.at(b, i);
    for (int64_t e = 0; e < value_width; ++e) o[e] = 0;
  }
  for (int64_t j0 = 0; j0 < p.keys; j0 += key_tile) {
    const int64_t cols = std::min(key_tile, p.keys - j0);
    transpose_tile(p.k.at(b, j0), p.k.stride(), cols, width, kt);
    const float* v = p.v.at(b, j0);
    for (int64_t i0 = first_query_tile(p, j0); i0 < p.queries; i0 += query_tile) {
      const int64_t rows = std::min(query_tile, p.queries - i0);
      score_tile(p, b, i0, rows, j0, cols, kt, width, s);
      for (int64_t r = 0; r < rows; ++r) {
        float* row = s + r * key_tile;
        const int64_t i = i0 + r;
        const float next = std::max(top[i], tile_maximum(row));
        rescale[r] = rescaling(top[i], next);
        sum[i] = sum[i] * rescale[r] + exp_tile(row, next, 1.0f);
        top[i] = next;
      }
      accumulate<FixedValueWidth>(p.out.at(b, i0), p.out.stride(), rescale, 1, s, key_tile, 1, v, p.v.stride(), key_terms(p.band(i0, j0), cols),
                                  rows, value_width);
    }
  }
  for (int64_t i = 0; i < p.queries; ++i) {
    float* o = p.out.at(b, i);
    if (fully_masked(top[i])) {
      sum[i] = 0.0f;
      mean_of_values(p, b, value_width, o);
      continue;
    }
    const float inverse = 1.0f / sum[i];
    sum[i] = inverse;  // the statistics the backward takes as given
    for (int64_t e = 0; e < value_width; ++e) o[e] *= inverse;
  }
}

// p_ij = exp(s_ij - max_i) / sum_i, 0 on fully masked rows; ds_ij = p_ij (dp_ij - D_i), which is
// 0 where s_ij was masked since p_ij is.
HEED_INLINE void weights_and_score_gradients(const Problem& p, int64_t b, int64_t i0, int64_t rows, int64_t j0, const float* vt,
                                             int64_t value_width, float* s, float* ds) {
  rows_times_tile(p.dout.at(b, i0), p.dout.stride(), rows, value_width, vt, 1.0f, ds, p.band(i0, j0));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t at = b * p.queries + i0 + r;
    float* pr = s + r * key_tile;
    float* dr = ds + r * key_tile;
    exp_tile(pr, p.row_max[at], p.row_inverse_sum[at]);
    const float delta = p.row_delta[at];
    for (int64_t c = 0; c < key_tile; ++c) dr[c] = pr[c] * (dr[c] - delta);
  }
}

// D_i = do_i . o_i for the rows [i0, i0 + rows) of batch element b.
HEED_INLINE void row_deltas(const Problem& p, int64_t b, int64_t i0, int64_t rows, int64_t value_width) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t at = b * p.queries + i0 + r;
    const float *o = p.o.at(b, i0 + r), *dout = p.dout.at(b, i0 + r);
    float delta = 0;
    for (int64_t e = 0; e < value_width; ++e) delta += dout[e] * o[e];
    p.row_delta[at] = delta;
  }
}

// The statistics of a query tile's rows: each one's score maximum, 1 / sum of exp (0 for a fully
// masked row) and D = do . o.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_INLINE void row_statistics(const Problem& p, int64_t b, int64_t i0, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *s = scratch + layout.scores, *top = scratch + layout.row_max, *sum = scratch + layout.row_sum;
  const int64_t rows = std::min(query_tile, p.queries - i0), end = p.visible_keys(i0, rows);
  for (int64_t r = 0; r < rows; ++r) {
    top[r] = no_key;
    sum[r] = 0;
  }
  for (int64_t j0 = 0; j0 < end; j0 += key_tile) {
    const int64_t cols = std::min(key_tile, p.keys - j0);
    transpose_tile(p.k.at(b, j0), p.k.stride(), cols, width, kt);
    score_tile(p, b, i0, rows, j0, cols, kt, width, s);
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = s + r * key_tile;
      const float next = std::max(top[r], tile_maximum(row));
      sum[r] = sum[r] * rescaling(top[r], next) + exp_sum(row, next);
      top[r] = next;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t at = b * p.queries + i0 + r;
    p.row_max[at] = top[r];
    p.row_inverse_sum[at] = fully_masked(top[r]) ? 0.0f : 1.0f / sum[r];
  }
  row_deltas(p, b, i0, rows, value_width);
}

// row_statistics for every row of a batch element, with key tiles outermost (each transposed
// once); each row sees the same updates in the same order.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_INLINE void batch_statistics(const Problem& p, int64_t b, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *s = scratch + layout.scores;
  float *top = p.row_max + b * p.queries, *sum = p.row_inverse_sum + b * p.queries;  // the sum until it is inverted
  for (int64_t i = 0; i < p.queries; ++i) {
    top[i] = no_key;
    sum[i] = 0;
  }
  for (int64_t j0 = 0; j0 < p.keys; j0 += key_tile) {
    const int64_t cols = std::min(key_tile, p.keys - j0);
    transpose_tile(p.k.at(b, j0), p.k.stride(), cols, width, kt);
    for (int64_t i0 = first_query_tile(p, j0); i0 < p.queries; i0 += query_tile) {
      const int64_t rows = std::min(query_tile, p.queries - i0);
      score_tile(p, b, i0, rows, j0, cols, kt, width, s);
      for (int64_t r = 0; r < rows; ++r) {
        const float* row = s + r * key_tile;
        const int64_t i = i0 + r;
        const float next = std::max(top[i], tile_maximum(row));
        sum[i] = sum[i] * rescaling(top[i], next) + exp_sum(row, next);
        top[i] = next;
      }
    }
  }
  for (int64_t i = 0; i < p.queries; ++i) sum[i] = fully_masked(top[i]) ? 0.0f : 1.0f / sum[i];
  row_deltas(p, b, 0, p.queries, value_width);
}

// dv_j = sum_i p_ij do_i and dk_j = scale * sum_i ds_ij q_i for the keys of the tile at j0, over
// the query tiles that see it, plus do_i / Tk from each fully masked row. Given dq (the batch
// element's rows in the output, owned by the caller) it also adds sum_j ds_ij k_j to it.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_INLINE void key_tile_gradients(const Problem& p, int64_t b, int64_t j0, float* scratch, bool with_dq) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *vt = scratch + layout.vt, *s = scratch + layout.scores, *ds = scratch + layout.weights;
  float *dk = scratch + layout.dk_tile, *dv = scratch + layout.dv_tile;
  const int64_t cols = std::min(key_tile, p.keys - j0);
  const float* k = p.k.at(b, j0);
  transpose_tile(k, p.k.stride(), cols, width, kt);
  transpose_tile(p.v.at(b, j0), p.v.stride(), cols, value_width, vt);
  for (int64_t i = 0; i < cols * width; ++i) dk[i] = 0;
  for (int64_t i = 0; i < cols * value_width; ++i) dv[i] = 0;
  for (int64_t i0 = first_query_tile(p, j0); i0 < p.queries; i0 += query_tile) {
    const int64_t rows = std::min(query_tile, p.queries - i0);
    score_tile(p, b, i0, rows, j0, cols, kt, width, s);
    weights_and_score_gradients(p, b, i0, rows, j0, vt, value_width, s, ds);
    const Band band = p.band(i0, j0);
    accumulate<FixedValueWidth>(dv, value_width, &one, 0, s, 1, key_tile, p.dout.at(b, i0), p.dout.stride(), query_terms(band, rows), cols,
                                value_width);
    accumulate<FixedWidth>(dk, width, &one, 0, ds, 1, key_tile, p.q.at(b, i0), p.q.stride(), query_terms(band, rows), cols, width);
    if (with_dq)
      accumulate<FixedWidth>(p.dq.at(b, i0), p.dq.stride(), &one, 0, ds, key_tile, 1, k, p.k.stride(), key_terms(band, cols), rows, width);
  }
  const float uniform = 1.0f / static_cast<float>(p.keys);
  for (int64_t i = 0; i < p.queries; ++i) {
    const int64_t at = b * p.queries + i;
    if (p.row_inverse_sum[at] != 0.0f) continue;
    const float* dout = p.dout.at(b, i);
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t e = 0; e < value_width; ++e) dv[c * value_width + e] += dout[e] * uniform;
  }
  for (int64_t c = 0; c < cols; ++c) {
    float *dk_row = p.dk.at(b, j0 + c), *dv_row = p.dv.at(b, j0 + c);
    for (int64_t e = 0; e < width; ++e) dk_row[e] = dk[c * width + e] * p.scale;
    for (int64_t e = 0; e < value_width; ++e) dv_row[e] = dv[c * value_width + e];
  }
}

// Backward with few batch elements, first pass over (batch, query tile): the row statistics,
// then dq = scale * sum_j ds_ij k_j.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void backward_query_task(const Problem& p, int64_t task, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *vt = scratch + layout.vt, *s = scratch + layout.scores, *ds = scratch + layout.weights;
  float* dq = scratch + layout.row_tile;
  const auto [b, i0] = query_task(p, task);
  const int64_t rows = std::min(query_tile, p.queries - i0), end = p.visible_keys(i0, rows);
  if (p.statistics_given) row_deltas(p, b, i0, rows, value_width);
  else row_statistics<FixedWidth, FixedValueWidth>(p, b, i0, scratch);
  for (int64_t i = 0; i < rows * width; ++i) dq[i] = 0;
  for (int64_t j0 = 0; j0 < end; j0 += key_tile) {
    const int64_t cols = std::min(key_tile, p.keys - j0);
    transpose_tile(p.k.at(b, j0), p.k.stride(), cols, width, kt);
    transpose_tile(p.v.at(b, j0), p.v.stride(), cols, value_width, vt);
    score_tile(p, b, i0, rows, j0, cols, kt, width, s);
    weights_and_score_gradients(p, b, i0, rows, j0, vt, value_width, s, ds);
    accumulate<FixedWidth>(dq, width, &one, 0, ds, key_tile, 1, p.k.at(b, j0), p.k.stride(), key_terms(p.band(i0, j0), cols), rows, width);
  }
  for (int64_t r = 0; r < rows; ++r) {
    float* out = p.dq.at(b, i0 + r);
    for (int64_t e = 0; e < width; ++e) out[e] = dq[r * width + e] * p.scale;
  }
}

// Backward with few batch elements, second pass over (batch, key tile): dk and dv.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void backward_key_task(const Problem& p, int64_t task, float* scratch) {
  const int64_t tiles = p.key_tiles();
  key_tile_gradients<FixedWidth, FixedValueWidth>(p, task / tiles, task % tiles * key_tile, scratch, false);
}

// Backward with many batch elements (heads times batch), one task per batch element: the
// statistics of all its rows, then each key tile's dk and dv with dq summed in place over the
// key tiles in the same order as the two passes, so both give the same bits. Each (query tile,
// key tile) takes one score and one dp product here instead of two of each.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void backward_batch_task(const Problem& p, int64_t b, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  if (p.statistics_given) row_deltas(p, b, 0, p.queries, value_width);
  else batch_statistics<FixedWidth, FixedValueWidth>(p, b, scratch);
  for (int64_t i = 0; i < p.queries; ++i) {
    float* dq = p.dq.at(b, i);
    for (int64_t e = 0; e < width; ++e) dq[e] = 0;
  }
  for (int64_t j0 = 0; j0 < p.keys; j0 += key_tile) key_tile_gradients<FixedWidth, FixedValueWidth>(p, b, j0, scratch, true);
  for (int64_t i = 0; i < p.queries; ++i) {
    float* dq = p.dq.at(b, i);
    for (int64_t e = 0; e < width; ++e) dq[e] *= p.scale;
  }
}

using Task = void (*)(const Problem&, int64_t, float*);

struct Tasks {
  Task forward, forward_batch, backward_queries, backward_keys, backward_batch;
};

template <int64_t W, int64_t V>
constexpr Tasks tasks_for() {
  return {&forward_task<W, V>, &forward_batch_task<W, V>, &backward_query_task<W, V>, &backward_key_task<W, V>, &backward_batch_task<W, V>};
}

// The head widths of the models (charlm 32, vit 16) and other common ones get their own
// instances; any other width runs the general one.
Tasks tasks_for(int64_t width, int64_t value_width) {
  if (width == value_width) {
    if (width == 16) return tasks_for<16, 16>();
    if (width == 32) return tasks_for<32, 32>();
    if (width == 64) return tasks_for<64, 64>();
  }
  return tasks_for<0, 0>();
}

// From this many batch elements on, each gets its own task (forward_batch_task,
// backward_batch_task), which transposes each key tile once and, backward, computes each tile's
// scores and dp once:
// enough of them to keep the threads of a CPU busy. The choice depends on the shape only, never
// on the thread count.
constexpr int64_t batch_tasks = 32;

// Below this many multiply-adds a parallel region costs more than it saves.
constexpr int64_t parallel_work = int64_t{1} << 20;

class AttentionKernel final : public Kernel {
 public:
  // `statistics`: three floats per query row (maximum, 1 / sum, D), shared by a forward kernel
  // with the backward of the same attention; `given`: whether the forward fills the first two.
  AttentionKernel(Problem problem, bool backward, std::shared_ptr<AlignedBuffer> statistics, bool given)
      : problem_(std::move(problem)),
        tasks_(tasks_for(problem_.width, problem_.value_width)),
        backward_(backward),
        threads_(std::max(1, omp_get_max_threads())),
        scratch_floats_(ScratchLayout(problem_.width, problem_.value_width).total),
        scratch_(static_cast<int64_t>(threads_) * scratch_floats_ * 4),
        statistics_(std::move(statistics)) {
    const int64_t rows = problem_.batch * problem_.queries;
    auto* base = reinterpret_cast<float*>(statistics_->data());
    problem_.row_max = base;
    problem_.row_inverse_sum = base + rows;
    problem_.row_delta = base + 2 * rows;
    problem_.statistics_given = given;
  }

  void run() override {
    const Problem& p = problem_;
    const bool parallel = p.batch * p.queries * p.keys * (p.width + p.value_width) >= parallel_work;
    if (!backward_) {
      if (p.batch >= batch_tasks) for_each_task(p.batch, parallel, tasks_.forward_batch);
      else for_each_task(p.batch * p.query_tiles(), parallel, tasks_.forward);
      return;
    }
    if (p.batch >= batch_tasks) {
      for_each_task(p.batch, parallel, tasks_.backward_batch);
      return;
    }
    for_each_task(p.batch * p.query_tiles(), parallel, tasks_.backward_queries);
    for_each_task(p.batch * p.key_tiles(), parallel, tasks_.backward_keys);
  }

 private:
  // Tasks are independent and each writes its own outputs, so handing them out dynamically (the
  // causal ones differ in size) changes nothing in the results.
  void for_each_task(int64_t count, bool parallel, Task task) const {
    auto* scratch = reinterpret_cast<float*>(scratch_.data());
    const int threads = parallel ? static_cast<int>(std::min<int64_t>({threads_, omp_get_max_threads(), count})) : 1;
    if (threads <= 1) {
      for (int64_t t = 0; t < count; ++t) task(problem_, t, scratch);
      return;
    }
#pragma omp parallel num_threads(threads)
    {
      float* mine = scratch + omp_get_thread_num() * scratch_floats_;
#pragma omp for schedule(dynamic, 1)
      for (int64_t t = 0; t < count; ++t) task(problem_, t, mine);
    }
  }

  Problem problem_;
  Tasks tasks_;
  bool backward_;
  int threads_;  // scratch slots: the program's thread count, set while it compiles
  int64_t scratch_floats_;
  AlignedBuffer scratch_;
  std::shared_ptr<AlignedBuffer> statistics_;
};

Mask mask_of(const CompileContext& context, const Node& node, const AttentionLayout& layout) {
  Mask mask;
  if (!layout.mask_input) return mask;
  const Node& input = context.input(node, *layout.mask_input);
  const std::byte* data = context.input_address(node, *layout.mask_input);
  if (input.dtype == f32) mask.f32 = reinterpret_cast<const float*>(data);
  else mask.i32 = reinterpret_cast<const int32_t*>(data);
  const Shape& scores = layout.scores;
  std::vector<int64_t> strides = broadcast_strides(input.shape, scores);
  const size_t rank = scores.size();
  mask.row_stride = strides[rank - 2];
  mask.column_stride = strides[rank - 1];
  mask.batch_offsets = row_offsets(Shape(scores.begin(), scores.end() - 2), strides);
  return mask;
}

template <class Float>
Rows<Float> rows_of(std::byte* data, const AttentionRows& layout) {
  return {reinterpret_cast<Float*>(data), layout};
}

Problem problem_of(const CompileContext& context, NodeRef node, const AttentionLayout& layout) {
  const Node& n = node.node;
  Problem p;
  p.q = rows_of<const float>(context.input_address(n, layout.q_input), layout.q);
  p.k = rows_of<const float>(context.input_address(n, layout.k_input), layout.k);
  p.v = rows_of<const float>(context.input_address(n, layout.v_input), layout.v);
  p.mask = mask_of(context, n, layout);
  p.batch = layout.batch;
  p.queries = layout.queries;
  p.keys = layout.keys;
  p.width = layout.width;
  p.value_width = layout.value_width;
  p.offset = p.keys - p.queries;
  p.scale = static_cast<float>(n.attrs.value);
  p.causal = n.attrs.causal;
  return p;
}

// The backward's o is the forward's own: its kernel ran earlier in this program with the same
// q, k, v (or qkv), mask, scale and causality, and left each row's maximum and 1 / sum.
std::shared_ptr<AlignedBuffer> statistics_of_forward(const CompileContext& context, const Node& backward, const AttentionLayout& layout) {
  const NodeId output = backward.inputs.at(layout.output_input);
  auto found = context.attention_statistics().find(output);
  if (found == context.attention_statistics().end()) return nullptr;
  const Node& forward = context.graph().node(output);
  const std::vector<NodeId> operands(backward.inputs.begin(), backward.inputs.begin() + static_cast<std::ptrdiff_t>(layout.output_input));
  const NodeId forward_mask = forward.inputs.size() > operands.size() ? forward.inputs[operands.size()] : -1;
  const NodeId backward_mask = layout.mask_input ? backward.inputs[*layout.mask_input] : -1;
  const bool same = forward.op == Op::Attention && std::equal(operands.begin(), operands.end(), forward.inputs.begin()) &&
                    forward_mask == backward_mask && forward.attrs.value == backward.attrs.value &&
                    forward.attrs.causal == backward.attrs.causal && forward.attrs.heads == backward.attrs.heads;
  return same ? found->second : nullptr;
}

}  // namespace

std::unique_ptr<Kernel> make_attention(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0 || p.queries == 0) return nullptr;
  p.out = rows_of<float>(context.address(node.id), layout.output);
  auto statistics = std::make_shared<AlignedBuffer>(3 * p.batch * p.queries * 4);
  context.attention_statistics()[node.id] = statistics;
  return std::make_unique<AttentionKernel>(std::move(p), false, std::move(statistics), false);
}

std::unique_ptr<Kernel> make_attention_backward(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0) return nullptr;  // with no queries dk and dv are still written, as zeros
  p.o = rows_of<const float>(context.input_address(node.node, layout.output_input), layout.output);
  p.dout = rows_of<const float>(context.input_address(node.node, layout.doutput_input), layout.output);
  std::byte* out = context.address(node.id);
  p.dq = rows_of<float>(out, layout.dq);
  p.dk = rows_of<float>(out, layout.dk);
  p.dv = rows_of<float>(out, layout.dv);
  if (auto given = statistics_of_forward(context, node.node, layout))
    return std::make_unique<AttentionKernel>(std::move(p), true, std::move(given), true);
  auto statistics = std::make_shared<AlignedBuffer>(3 * p.batch * p.queries * 4);
  return std::make_unique<AttentionKernel>(std::move(p), true, std::move(statistics), false);
}

}  // namespace heed::cpu
