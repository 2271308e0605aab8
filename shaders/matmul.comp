#version 450
// Batched matmul C[b] = op(A)[b] op(B)[b], tiled through shared memory. A workgroup computes a
// BM x BN tile of C, each invocation a TM x TN block of it strided across the tile (so that
// neighbouring invocations touch neighbouring columns). Transposes and broadcast batch axes
// are only strides: the host passes op(A)'s row and k strides and each operand's batch strides.
// Accumulation is f32. A fused epilogue (kernels/fusion.cpp) may add a bias vector over the
// columns and apply an activation before the store, as the separate add and unary dispatches
// would, with the same float operations, so fused and unfused programs agree bit for bit.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

layout(constant_id = 1) const uint BM = 64;
layout(constant_id = 2) const uint BN = 64;
layout(constant_id = 3) const uint BK = 16;
layout(constant_id = 4) const uint TM = 4;
layout(constant_id = 5) const uint TN = 4;
// 0: tiles through shared memory (GPUs). 1: no shared memory, for CPU implementations such as
// lavapipe, where a barrier switches coroutines and every load of shared or storage memory
// loops over the lanes, so the caches had better do the tiling: a workgroup owns TM whole rows
// and each invocation TN columns strided by the workgroup size (measured on lavapipe: 3-4x the
// shared-memory tiles).
layout(constant_id = 6) const uint MODE = 0;
// The epilogue: BIAS adds bias[col]; ACTIVATION is a one-input code of heed/backend/op_codes.hpp
// (HEED_OP_COPY: none); STORE_SUM also stores the sum before the activation (binding 4), for a
// backward pass that reads it (the VJPs of some activations read their input).
layout(constant_id = 7) const bool BIAS = false;
layout(constant_id = 8) const uint ACTIVATION = HEED_OP_COPY;
layout(constant_id = 9) const bool STORE_SUM = false;

layout(std430, binding = 0) writeonly buffer Out { float c[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
// Without BIAS the host binds a zero word here; without STORE_SUM it binds the output again,
// which this shader then never writes through.
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };
layout(std430, binding = 4) writeonly buffer Sum { float sum[]; };

const uint max_batch_rank = 4;

layout(push_constant) uniform Push {
  uint base_c, base_a, base_b, base_bias, base_sum;
  uint m, n, k;
  uint batch_count, batch_rank;
  uint batch_dims[max_batch_rank];
  uint batch_stride_a[max_batch_rank];
  uint batch_stride_b[max_batch_rank];
  uint a_row, a_k;  // op(A)[i][kk] = a[i * a_row + kk * a_k]
  uint b_k, b_col;  // op(B)[kk][j] = b[kk * b_k + j * b_col]
} pc;

// [kk][i] and [kk][j], sized for the largest tiles the host picks (BK * BM, BK * BN <= 1024).
shared float tile_a[1024];
shared float tile_b[1024];

// Stores element `element` of C (counted over all batches), which is in column `col`.
void store(uint element, uint col, float value) {
  if (BIAS) value += bias[pc.base_bias + col];
  if (STORE_SUM) sum[pc.base_sum + element] = value;
  value = heed_apply(ACTIVATION, value, 0.0, 0.0);
  c[pc.base_c + element] = value;
}

uint batch_offsets(uint batch, out uint offset_b) {
  uint offset_a = pc.base_a, rest = batch;
  offset_b = pc.base_b;
  for (uint d = pc.batch_rank; d-- > 0u;) {
    uint q = rest / pc.batch_dims[d], r = rest - q * pc.batch_dims[d];
    offset_a += r * pc.batch_stride_a[d];
    offset_b += r * pc.batch_stride_b[d];
    rest = q;
  }
  return offset_a;
}

void main_direct() {
  uint lane = gl_LocalInvocationID.x, threads = gl_WorkGroupSize.x;
  // Row blocks along x: consecutive workgroups, which run at the same time, share the strip of B
  // they read, which then stays in cache.
  uint row0 = gl_WorkGroupID.x * TM, col0 = gl_WorkGroupID.y * threads * TN + lane;
  for (uint batch = gl_WorkGroupID.z; batch < pc.batch_count; batch += gl_NumWorkGroups.z) {
    uint offset_b;
    uint offset_a = batch_offsets(batch, offset_b);
    // Out-of-range rows and columns read a valid element and are not stored.
    uint rows[TM], cols[TN];
    for (uint i = 0u; i < TM; ++i) rows[i] = offset_a + min(row0 + i, pc.m - 1u) * pc.a_row;
    for (uint j = 0u; j < TN; ++j) cols[j] = offset_b + min(col0 + j * threads, pc.n - 1u) * pc.b_col;
    float acc[TM * TN];
    for (uint i = 0u; i < TM * TN; ++i) acc[i] = 0.0;
    // Four steps along k per iteration: lavapipe pays for each loop iteration's masks and
    // branches (measured: a quarter faster than one step; eight steps were slower again).
    uint kk = 0u;
    for (; kk + 4u <= pc.k; kk += 4u) {
      for (uint q = 0u; q < 4u; ++q) {
        float ra[TM], rb[TN];
        for (uint i = 0u; i < TM; ++i) ra[i] = a[rows[i] + (kk + q) * pc.a_k];
        for (uint j = 0u; j < TN; ++j) rb[j] = b[cols[j] + (kk + q) * pc.b_k];
        for (uint i = 0u; i < TM; ++i)
          for (uint j = 0u; j < TN; ++j) acc[i * TN + j] = fma(ra[i], rb[j], acc[i * TN + j]);
      }
    }
    for (; kk < pc.k; ++kk) {
      float ra[TM], rb[TN];
      for (uint i = 0u; i < TM; ++i) ra[i] = a[rows[i] + kk * pc.a_k];
      for (uint j = 0u; j < TN; ++j) rb[j] = b[cols[j] + kk * pc.b_k];
      for (uint i = 0u; i < TM; ++i)
        for (uint j = 0u; j < TN; ++j) acc[i * TN + j] = fma(ra[i], rb[j], acc[i * TN + j]);
    }
    uint offset_c = batch * pc.m * pc.n;
    for (uint i = 0u; i < TM; ++i) {
      if (row0 + i >= pc.m) break;
      for (uint j = 0u; j < TN; ++j) {
        uint col = col0 + j * threads;
        if (col < pc.n) store(offset_c + (row0 + i) * pc.n + col, col, acc[i * TN + j]);
      }
    }
  }
}

void main() {
  if (MODE == 1) {
    main_direct();
    return;
  }
  const uint threads = (BM / TM) * (BN / TN);
  uint lane = gl_LocalInvocationID.x;
  uint tx = lane % (BN / TN), ty = lane / (BN / TN);
  uint row0 = gl_WorkGroupID.y * BM, col0 = gl_WorkGroupID.x * BN;

  for (uint batch = gl_WorkGroupID.z; batch < pc.batch_count; batch += gl_NumWorkGroups.z) {
    uint offset_a = pc.base_a, offset_b = pc.base_b, rest = batch;
    for (uint d = pc.batch_rank; d-- > 0u;) {
      uint q = rest / pc.batch_dims[d], r = rest - q * pc.batch_dims[d];
      offset_a += r * pc.batch_stride_a[d];
      offset_b += r * pc.batch_stride_b[d];
      rest = q;
    }

    float acc[TM * TN];
    for (uint i = 0u; i < TM * TN; ++i) acc[i] = 0.0;

    for (uint k0 = 0u; k0 < pc.k; k0 += BK) {
      // Walk the tile along whichever axis is contiguous in memory, so loads coalesce.
      for (uint e = lane; e < BM * BK; e += threads) {
        uint i, kk;
        if (pc.a_k == 1u) { i = e / BK; kk = e % BK; } else { kk = e / BM; i = e % BM; }
        uint gi = row0 + i, gk = k0 + kk;
        tile_a[kk * BM + i] = gi < pc.m && gk < pc.k ? a[offset_a + gi * pc.a_row + gk * pc.a_k] : 0.0;
      }
      for (uint e = lane; e < BN * BK; e += threads) {
        uint j, kk;
        if (pc.b_col == 1u) { kk = e / BN; j = e % BN; } else { j = e / BK; kk = e % BK; }
        uint gj = col0 + j, gk = k0 + kk;
        tile_b[kk * BN + j] = gj < pc.n && gk < pc.k ? b[offset_b + gk * pc.b_k + gj * pc.b_col] : 0.0;
      }
      barrier();
      for (uint kk = 0u; kk < BK; ++kk) {
        float ra[TM], rb[TN];
        for (uint i = 0u; i < TM; ++i) ra[i] = tile_a[kk * BM + ty + i * (BM / TM)];
        for (uint j = 0u; j < TN; ++j) rb[j] = tile_b[kk * BN + tx + j * (BN / TN)];
        for (uint i = 0u; i < TM; ++i)
          for (uint j = 0u; j < TN; ++j) acc[i * TN + j] = fma(ra[i], rb[j], acc[i * TN + j]);
      }
      barrier();
    }

    uint offset_c = batch * pc.m * pc.n;
    for (uint i = 0u; i < TM; ++i) {
      uint gi = row0 + ty + i * (BM / TM);
      if (gi >= pc.m) continue;
      for (uint j = 0u; j < TN; ++j) {
        uint gj = col0 + tx + j * (BN / TN);
        if (gj < pc.n) store(offset_c + gi * pc.n + gj, gj, acc[i * TN + j]);
      }
    }
  }
}
