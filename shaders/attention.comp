#version 450
// Fused attention, forward (docs/ops.md, Attention): o_i = sum_j softmax_j(scale q_i . k_j) v_j,
// FlashAttention style. A workgroup owns a block of queries of one batch element and an
// invocation one query: it walks the keys in tiles of TILE (staged in shared memory on GPUs)
// keeping the running maximum m, the running sum l of exp(s - m) and acc = sum exp(s - m) v,
// rescaled when m grows (the online softmax), so the [Tq, Tk] scores are never stored. Tiles
// past the block's last causally visible key are skipped. A masked score is masked_logit in the
// composite, whose exp(masked_logit - m) is exactly 0 beside any visible key, so masked keys are
// simply left out, unless a row sees no key at all: it is then uniform over all Tk keys, the
// mean of v. Each row's logsumexp L = m + log(l) (masked_logit where the row sees no key) goes to
// `stats`, which the backward reads (AttentionStatistics).
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require

layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer Q { float q[]; };
layout(std430, binding = 2) readonly buffer K { float k[]; };
layout(std430, binding = 3) readonly buffer V { float v[]; };
layout(std430, binding = 4) readonly buffer Mask { uint mask[]; };  // f32 or i32 bits
layout(std430, binding = 5) writeonly buffer Stats { float stats[]; };  // per problem and query row

layout(push_constant) uniform Push {
  uint base_o, base_q, base_k, base_v, base_mask, base_stats;
  uint tq, tk, batch_count;
  uint batch_rank;                // the leading axes as the mask sees them (merged)
  uint batch_dims[4];
  uint mask_batch_stride[4];
  uint mask_row, mask_col;        // the mask's strides along queries and keys (0: broadcast)
  float scale;
} pc;

#include "attention.glsl"

shared float tile_k[MODE == 0u ? TILE * D : 1u];
shared float tile_v[MODE == 0u ? TILE * DV : 1u];

void main() {
  const uint rows = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
  const uint first = gl_WorkGroupID.x * rows, i = first + lane;
  const uint row = min(i, pc.tq - 1u);  // rows past the end compute row Tq - 1 and store nothing
  const uint key_end = causal_key_end(first, rows);
  for (uint batch = gl_WorkGroupID.y; batch < pc.batch_count; batch += gl_NumWorkGroups.y) {
    const uint mask_batch = HAS_MASK ? mask_batch_offset(batch) : 0u;
    float query[D];
    const uint query_row = pc.base_q + operand_row(0u, batch, row, pc.tq);
    for (uint d = 0u; d < D; ++d) query[d] = q[query_row + d];
    float acc[DV];
    for (uint e = 0u; e < DV; ++e) acc[e] = 0.0;
    float m = lowest, l = 0.0;

    for (uint t0 = 0u; t0 < key_end; t0 += TILE) {
      const uint count = min(TILE, key_end - t0);
      if (MODE == 0u) {
        for (uint e = lane; e < count * D; e += rows) tile_k[e] = k[pc.base_k + operand_row(1u, batch, t0 + e / D, pc.tk) + e % D];
        for (uint e = lane; e < count * DV; e += rows) tile_v[e] = v[pc.base_v + operand_row(2u, batch, t0 + e / DV, pc.tk) + e % DV];
        barrier();
      }
      // One key at a time: a tile of scores in an array would have the loops fully unrolled,
      // which makes the shader slow to compile (minutes on lavapipe) for little gain.
      for (uint t = 0u; t < count; ++t) {
        if (!visible(mask_batch, row, t0 + t)) continue;
        const uint key_row = pc.base_k + operand_row(1u, batch, t0 + t, pc.tk);
        const uint value_row = pc.base_v + operand_row(2u, batch, t0 + t, pc.tk);
        float dot = 0.0;
        for (uint d = 0u; d < D; ++d) dot = fma(query[d], MODE == 0u ? tile_k[t * D + d] : k[key_row + d], dot);
        const float s = dot * pc.scale;
        float p = 1.0;
        if (s > m) {  // a new maximum: rescale what was summed so far
          const float correction = exp(m - s);
          l *= correction;
          for (uint e = 0u; e < DV; ++e) acc[e] *= correction;
          m = s;
        } else {
          p = exp(s - m);
        }
        l += p;
        for (uint e = 0u; e < DV; ++e) acc[e] = fma(p, MODE == 0u ? tile_v[t * DV + e] : v[value_row + e], acc[e]);
      }
      if (MODE == 0u) barrier();
    }

    if (i < pc.tq) {
      stats[pc.base_stats + batch * pc.tq + i] = l > 0.0 ? m + log(l) : masked_logit;
      const uint target = pc.base_o + output_row(batch, i);
      if (l > 0.0) {
        for (uint e = 0u; e < DV; ++e) o[target + e] = acc[e] / l;
      } else {  // every key masked: the mean of all Tk values, causally hidden ones included
        for (uint e = 0u; e < DV; ++e) {
          float total = 0.0;
          for (uint j = 0u; j < pc.tk; ++j) total += v[pc.base_v + operand_row(2u, batch, j, pc.tk) + e];
          o[target + e] = total / float(pc.tk);
        }
      }
    }
  }
}
