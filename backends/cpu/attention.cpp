// Fused attention and its backward op (docs/ops.md), FlashAttention-2 style: the [Tq, Tk] scores
// are never held, only one tile of them per thread, so memory stays linear in the sequence.
//
// Forward: per (batch, tile of queries), walk the key tiles with an online softmax (running row
// maximum and sum, the output rescaled as the maximum grows). Causal tiles past the diagonal are
// skipped. Grouped with the attention's statistics (heed/backend/kernel_groups.hpp), the forward
// also writes each row's logsumexp L_i, which the backward reads as an input: p_ij = exp(s_ij - L_i).
// Backward: one pass per (batch, query tile) computes D_i = do_i . o_i and accumulates dq; a
// second pass per (batch, key tile) accumulates dk and dv. With many batch elements (heads x
// batch) each element is one task instead, which does the same per-row work in the same order
// with less recomputation. Each output element is summed by one task in a fixed order, so the
// results do not depend on the thread count and need no atomics.
//
// Masked scores are masked_logit (-1e30) as in the composite. A row whose visible scores are all
// masked is uniform over all Tk keys there (exp(0) everywhere), the keys past the causal
// diagonal included, which the skipped tiles cannot see: such rows are found by their maximum,
// or by their logsumexp (masked_logit) in the backward, and handled apart (o = the mean of v;
// dv_j += do_i / Tk; no gradient to q or k).
//
// The library is built for any x86-64, so the task functions are compiled three times
// (target_clones: AVX-512, AVX2 + FMA, baseline) and the loader picks one; the inner loops
// (attention_tiles.hpp) work on tiles of 64 keys in vector registers. The common head widths are
// template constants, so the loops over a row of v, k, q or do also stay in registers.
#include "attention_problem.hpp"
#include "isa_clones.hpp"

#include <heed/ops.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

namespace heed::cpu::attention {

namespace {

using namespace attention_tiles;

constexpr float masked_score = static_cast<float>(masked_logit);
constexpr float one = 1.0f;  // the keep factor of sums that only add

#define HEED_INLINE [[gnu::always_inline]] inline

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

// A row is fully masked when no visible score beat masked_logit (or it saw no key at all); its
// logsumexp is then masked_logit too.
HEED_INLINE bool fully_masked(float top) { return top <= masked_score; }
HEED_INLINE float logsumexp(float top, float sum) { return fully_masked(top) ? masked_score : top + std::log(sum); }

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
    float* out = p.out.at(b, i0 + r);
    if (p.row_logsumexp) p.row_logsumexp[b * p.queries + i0 + r] = logsumexp(top[r], sum[r]);
    if (fully_masked(top[r])) {
      mean_of_values(p, b, value_width, out);
      continue;
    }
    const float inverse = 1.0f / sum[r];
    for (int64_t e = 0; e < value_width; ++e) out[e] = acc[r * value_width + e] * inverse;
  }
}

// The forward with many batch elements, one task per element: the same updates of each row in
// the same order as forward_task, but with key tiles outermost, so each is transposed once.
// The running row maximum and sum live in the kernel's own buffer, the output rows accumulate in
// place.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void forward_batch_task(const Problem& p, int64_t b, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *s = scratch + layout.scores, *rescale = scratch + layout.row_rescale;
  float *top = p.row_max + b * p.queries, *sum = p.row_sum + b * p.queries;
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
    if (p.row_logsumexp) p.row_logsumexp[b * p.queries + i] = logsumexp(top[i], sum[i]);
    if (fully_masked(top[i])) {
      mean_of_values(p, b, value_width, o);
      continue;
    }
    const float inverse = 1.0f / sum[i];
    for (int64_t e = 0; e < value_width; ++e) o[e] *= inverse;
  }
}

// p_ij = exp(s_ij - L_i), 0 on fully masked rows; ds_ij = p_ij (dp_ij - D_i), which is 0 where
// s_ij was masked since p_ij is.
HEED_INLINE void weights_and_score_gradients(const Problem& p, int64_t b, int64_t i0, int64_t rows, int64_t j0, const float* vt,
                                             int64_t value_width, float* s, float* ds) {
  rows_times_tile(p.dout.at(b, i0), p.dout.stride(), rows, value_width, vt, 1.0f, ds, p.band(i0, j0));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t at = b * p.queries + i0 + r;
    float* pr = s + r * key_tile;
    float* dr = ds + r * key_tile;
    const float row_logsumexp = p.row_logsumexp[at];
    exp_tile(pr, row_logsumexp, fully_masked(row_logsumexp) ? 0.0f : 1.0f);
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
    if (!fully_masked(p.row_logsumexp[at])) continue;
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

// Backward with few batch elements, first pass over (batch, query tile): the rows' D, then
// dq = scale * sum_j ds_ij k_j.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void backward_query_task(const Problem& p, int64_t task, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  const ScratchLayout layout(width, value_width);
  float *kt = scratch + layout.kt, *vt = scratch + layout.vt, *s = scratch + layout.scores, *ds = scratch + layout.weights;
  float* dq = scratch + layout.row_tile;
  const auto [b, i0] = query_task(p, task);
  const int64_t rows = std::min(query_tile, p.queries - i0), end = p.visible_keys(i0, rows);
  row_deltas(p, b, i0, rows, value_width);
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

// Backward with many batch elements (heads times batch), one task per batch element: the D of
// all its rows, then each key tile's dk and dv with dq summed in place over the
// key tiles in the same order as the two passes, so both give the same bits. Each (query tile,
// key tile) takes one score and one dp product here instead of two of each.
template <int64_t FixedWidth, int64_t FixedValueWidth>
HEED_ISA_CLONES void backward_batch_task(const Problem& p, int64_t b, float* scratch) {
  const int64_t width = FixedWidth ? FixedWidth : p.width, value_width = FixedValueWidth ? FixedValueWidth : p.value_width;
  row_deltas(p, b, 0, p.queries, value_width);
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
template <int64_t W, int64_t V>
constexpr Tasks tasks_for() {
  return {&forward_task<W, V>, &forward_batch_task<W, V>, &backward_query_task<W, V>, &backward_key_task<W, V>, &backward_batch_task<W, V>};
}

}  // namespace

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

}  // namespace heed::cpu::attention
