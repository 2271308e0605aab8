#version 450
// Fused attention, backward (docs/ops.md, AttentionBackward), FlashAttention-2 style, in two
// dispatches and without atomics, so the result does not depend on scheduling:
//   PASS 0, a workgroup per block of queries, an invocation per query i: D_i = do_i . o_i, kept
//     with the row's logsumexp L_i (an input, the forward's statistics) in `stats` for pass 1;
//     then dq_i = scale * sum_j ds_ij k_j with ds_ij = p_ij (do_i . v_j - D_i), over the keys.
//   PASS 1, a workgroup per block of keys, an invocation per key j: a sweep over the queries
//     gives dv_j = sum_i p_ij do_i and dk_j = scale * sum_i ds_ij q_i.
// p_ij = exp(s_ij - L_i) is recomputed where needed; masked pairs have p = ds = 0, and a row that
// sees no key (L_i = masked_logit; uniform over all Tk keys in the composite) adds do_i / Tk to
// every dv_j and nothing else. The output packs, per batch element, dq (Tq x D), dk (Tk x D), dv (Tk x DV), or
// with HEADS it is dqkv in qkv's layout.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require

layout(constant_id = 9) const uint PASS = 0;

layout(std430, binding = 0) writeonly buffer Out { float grads[]; };
layout(std430, binding = 1) readonly buffer Q { float q[]; };
layout(std430, binding = 2) readonly buffer K { float k[]; };
layout(std430, binding = 3) readonly buffer V { float v[]; };
layout(std430, binding = 4) readonly buffer O { float o[]; };
layout(std430, binding = 5) readonly buffer DO { float dout[]; };
layout(std430, binding = 6) readonly buffer Mask { uint mask[]; };  // f32 or i32 bits
// Per query row: L_i, D_i, and 1 where the row sees no key. Written by pass 0, read by pass 1.
layout(std430, binding = 7) buffer Stats { float stats[]; };
// Per problem and query row: L_i, the forward's AttentionStatistics.
layout(std430, binding = 8) readonly buffer Logsumexp { float logsumexp_of[]; };

layout(push_constant) uniform Push {
  uint base_grads, base_q, base_k, base_v, base_o, base_do, base_mask, base_stats, base_logsumexp;
  uint tq, tk, batch_count;
  uint batch_rank;
  uint batch_dims[4];
  uint mask_batch_stride[4];
  uint mask_row, mask_col;
  float scale;
} pc;

#include "attention.glsl"

// Pass 0 stages keys and values; pass 1 queries, their output gradients and stats.
shared float tile_a[MODE == 0u ? TILE * D : 1u];    // k or q rows
shared float tile_b[MODE == 0u ? TILE * DV : 1u];   // v or do rows
shared float tile_stats[MODE == 0u && PASS == 1u ? TILE * 3u : 1u];

// Where row i of problem b of dq (part 0), dk (1) or dv (2) starts in the output.
uint gradient_row(uint part, uint b, uint i) {
  if (HEADS != 0u) return operand_row(part, b, i, pc.tq);
  const uint packed = pc.tq * D + pc.tk * D + pc.tk * DV;
  if (part == 0u) return b * packed + i * D;
  if (part == 1u) return b * packed + pc.tq * D + i * D;
  return b * packed + pc.tq * D + pc.tk * D + i * DV;
}

void queries_pass() {
  const uint rows = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
  const uint first = gl_WorkGroupID.x * rows, i = first + lane;
  const uint row = min(i, pc.tq - 1u);
  const uint key_end = causal_key_end(first, rows);
  for (uint batch = gl_WorkGroupID.y; batch < pc.batch_count; batch += gl_NumWorkGroups.y) {
    const uint mask_batch = HAS_MASK ? mask_batch_offset(batch) : 0u;
    float query[D], dq[D];
    const uint query_row = pc.base_q + operand_row(0u, batch, row, pc.tq);
    for (uint d = 0u; d < D; ++d) {
      query[d] = q[query_row + d];
      dq[d] = 0.0;
    }
    float grad_out[DV];
    float delta = 0.0;
    const uint at = output_row(batch, row);
    for (uint e = 0u; e < DV; ++e) {
      grad_out[e] = dout[pc.base_do + at + e];
      delta = fma(grad_out[e], o[pc.base_o + at + e], delta);
    }

    const float logsumexp = logsumexp_of[pc.base_logsumexp + batch * pc.tq + row];
    const bool none_seen = logsumexp <= masked_logit;

    // dq, over the keys.
    for (uint t0 = 0u; t0 < key_end; t0 += TILE) {
      const uint count = min(TILE, key_end - t0);
      if (MODE == 0u) {
        for (uint e = lane; e < count * D; e += rows) tile_a[e] = k[pc.base_k + operand_row(1u, batch, t0 + e / D, pc.tk) + e % D];
        for (uint e = lane; e < count * DV; e += rows) tile_b[e] = v[pc.base_v + operand_row(2u, batch, t0 + e / DV, pc.tk) + e % DV];
        barrier();
      }
      for (uint t = 0u; t < count; ++t) {
        if (none_seen || !visible(mask_batch, row, t0 + t)) continue;
        const uint key_row = pc.base_k + operand_row(1u, batch, t0 + t, pc.tk);
        const uint value_row = pc.base_v + operand_row(2u, batch, t0 + t, pc.tk);
        float dot = 0.0, dp = 0.0;
        for (uint d = 0u; d < D; ++d) dot = fma(query[d], MODE == 0u ? tile_a[t * D + d] : k[key_row + d], dot);
        for (uint e = 0u; e < DV; ++e) dp = fma(grad_out[e], MODE == 0u ? tile_b[t * DV + e] : v[value_row + e], dp);
        const float ds = exp(dot * pc.scale - logsumexp) * (dp - delta);
        for (uint d = 0u; d < D; ++d) dq[d] = fma(ds, MODE == 0u ? tile_a[t * D + d] : k[key_row + d], dq[d]);
      }
      if (MODE == 0u) barrier();
    }

    if (i < pc.tq) {
      const uint target = pc.base_grads + gradient_row(0u, batch, i);
      for (uint d = 0u; d < D; ++d) grads[target + d] = dq[d] * pc.scale;
      const uint at = pc.base_stats + (batch * pc.tq + i) * 3u;
      stats[at] = logsumexp;
      stats[at + 1u] = delta;
      stats[at + 2u] = none_seen ? 1.0 : 0.0;
    }
  }
}

void keys_pass() {
  const uint rows = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
  const uint first = gl_WorkGroupID.x * rows, j = first + lane;
  const uint key = min(j, pc.tk - 1u);
  // Queries before the first that sees this block's first key see none of its keys; with no
  // mask and Tq <= Tk none of them is fully masked either, so they are skipped.
  uint query_begin = 0u;
  if (CAUSAL && !HAS_MASK && pc.tq <= pc.tk) query_begin = uint(max(int(first) + int(pc.tq) - int(pc.tk), 0));
  for (uint batch = gl_WorkGroupID.y; batch < pc.batch_count; batch += gl_NumWorkGroups.y) {
    const uint row_stats = pc.base_stats + batch * pc.tq * 3u;
    const uint mask_batch = HAS_MASK ? mask_batch_offset(batch) : 0u;
    float kj[D], dk[D];
    const uint key_row = pc.base_k + operand_row(1u, batch, key, pc.tk), value_row = pc.base_v + operand_row(2u, batch, key, pc.tk);
    for (uint d = 0u; d < D; ++d) {
      kj[d] = k[key_row + d];
      dk[d] = 0.0;
    }
    float vj[DV], dv[DV];
    for (uint e = 0u; e < DV; ++e) {
      vj[e] = v[value_row + e];
      dv[e] = 0.0;
    }
    for (uint t0 = query_begin; t0 < pc.tq; t0 += TILE) {
      const uint count = min(TILE, pc.tq - t0);
      if (MODE == 0u) {
        for (uint e = lane; e < count * D; e += rows) tile_a[e] = q[pc.base_q + operand_row(0u, batch, t0 + e / D, pc.tq) + e % D];
        for (uint e = lane; e < count * DV; e += rows) tile_b[e] = dout[pc.base_do + output_row(batch, t0 + e / DV) + e % DV];
        for (uint e = lane; e < count * 3u; e += rows) tile_stats[e] = stats[row_stats + t0 * 3u + e];
        barrier();
      }
      for (uint t = 0u; t < count; ++t) {
        const uint i = t0 + t;
        const uint query_row = pc.base_q + operand_row(0u, batch, i, pc.tq), grad_out_row = pc.base_do + output_row(batch, i);
        const bool none_seen = (MODE == 0u ? tile_stats[t * 3u + 2u] : stats[row_stats + i * 3u + 2u]) != 0.0;
        if (none_seen) {
          for (uint e = 0u; e < DV; ++e) dv[e] += (MODE == 0u ? tile_b[t * DV + e] : dout[grad_out_row + e]) / float(pc.tk);
          continue;
        }
        if (!visible(mask_batch, i, key)) continue;
        const float logsumexp = MODE == 0u ? tile_stats[t * 3u] : stats[row_stats + i * 3u];
        const float delta = MODE == 0u ? tile_stats[t * 3u + 1u] : stats[row_stats + i * 3u + 1u];
        float dot = 0.0, dp = 0.0;
        for (uint d = 0u; d < D; ++d) dot = fma(kj[d], MODE == 0u ? tile_a[t * D + d] : q[query_row + d], dot);
        const float p = exp(dot * pc.scale - logsumexp);
        for (uint e = 0u; e < DV; ++e) {
          const float g = MODE == 0u ? tile_b[t * DV + e] : dout[grad_out_row + e];
          dp = fma(g, vj[e], dp);
          dv[e] = fma(p, g, dv[e]);
        }
        const float ds = p * (dp - delta);
        for (uint d = 0u; d < D; ++d) dk[d] = fma(ds, MODE == 0u ? tile_a[t * D + d] : q[query_row + d], dk[d]);
      }
      if (MODE == 0u) barrier();
    }
    if (j < pc.tk) {
      const uint dk_row = pc.base_grads + gradient_row(1u, batch, j), dv_row = pc.base_grads + gradient_row(2u, batch, j);
      for (uint d = 0u; d < D; ++d) grads[dk_row + d] = dk[d] * pc.scale;
      for (uint e = 0u; e < DV; ++e) grads[dv_row + e] = dv[e];
    }
  }
}

void main() {
  if (PASS == 0u) queries_pass();
  else keys_pass();
}
