#pragma once
// What the fused attention's tasks (attention.cpp) and its kernels (attention_kernel.cpp) share:
// the problem one kernel solves, fixed at compile time, one thread's scratch, and the tasks for
// a head width.
#include "attention_tiles.hpp"

#include <heed/backend/attention_layout.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace heed::cpu::attention {

using attention_tiles::Band;
using attention_tiles::key_tile;

inline constexpr int64_t query_tile = 32;

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
  // Per (batch, query) row: the forward's running score maximum and sum (the batch tasks keep
  // them here), the backward's D, and the logsumexp of the scores (masked_logit for a fully
  // masked row), which the forward writes when given and the backward reads.
  float *row_max = nullptr, *row_sum = nullptr, *row_delta = nullptr;
  float* row_logsumexp = nullptr;

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

using Task = void (*)(const Problem&, int64_t, float*);

struct Tasks {
  Task forward, forward_batch, backward_queries, backward_keys, backward_batch;
};

// The tasks compiled for a head width (the common ones have instances of their own).
Tasks tasks_for(int64_t width, int64_t value_width);

}  // namespace heed::cpu::attention
