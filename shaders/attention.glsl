// What attention.comp and attention_backward.comp share: their specialisation constants, the
// mask lookup and causal visibility of a (query, key) pair, and the tiles of keys or queries
// staged in shared memory. A shader including this declares its push constant block `pc` with
// the fields used here first.
#ifndef HEED_ATTENTION_GLSL
#define HEED_ATTENTION_GLSL

// The head widths (q, k: D; v: DV) are constants of the pipeline, so that each invocation keeps
// its query or key row and its accumulators in registers and the loops over them unroll.
layout(constant_id = 1) const uint D = 16;
layout(constant_id = 2) const uint DV = 16;
// Rows of the other operand staged per step (keys in the forward pass, either in the backward).
layout(constant_id = 3) const uint TILE = 32;
layout(constant_id = 4) const bool HAS_MASK = false;
layout(constant_id = 5) const bool MASK_I32 = false;
layout(constant_id = 6) const bool CAUSAL = false;
// 0: tiles staged in shared memory (GPUs). 1: rows read from the storage buffers directly, for
// CPU implementations such as lavapipe, where a barrier switches coroutines and a shared load
// costs a loop over the lanes (matmul.comp's MODE 1 measured the same).
layout(constant_id = 7) const uint MODE = 0;

// 0: q, k, v separate, [batch, Tq or Tk, D or DV]. H: one packed qkv [batch / H, T, 3 * H * D],
// bound as q, k and v alike, problem b being head b % H of position b / H and D == DV
// (heed/attention_layout.hpp).
layout(constant_id = 8) const uint HEADS = 0;

// Below any score (scores are finite, masked_logit is -1e30): "no key seen yet".
const float lowest = -3.402823466e38;
// The logsumexp of a row that sees no key: masked_logit, as every score of such a row is.
const float masked_logit = -1e30;

// Query i sees key j unless the mask is zero there or, when causal, j > i + (Tk - Tq).
bool visible(uint mask_batch, uint i, uint j) {
  if (CAUSAL && int(j) > int(i) + int(pc.tk) - int(pc.tq)) return false;
  if (!HAS_MASK) return true;
  uint bits = mask[pc.base_mask + mask_batch + i * pc.mask_row + j * pc.mask_col];
  return MASK_I32 ? bits != 0u : uintBitsToFloat(bits) != 0.0;
}

// Offset of batch element `batch` (over q's leading axes) in the mask, which broadcasts.
uint mask_batch_offset(uint batch) {
  uint offset = 0u, rest = batch;
  for (uint d = pc.batch_rank; d-- > 0u;) {
    uint q = rest / pc.batch_dims[d];
    offset += (rest - q * pc.batch_dims[d]) * pc.mask_batch_stride[d];
    rest = q;
  }
  return offset;
}

// Where row i of problem b of q (part 0), k (1) or v (2) starts, from its binding's base;
// `length` is Tq or Tk.
uint operand_row(uint part, uint b, uint i, uint length) {
  if (HEADS == 0u) return (b * length + i) * (part == 2u ? DV : D);
  return ((b / HEADS) * length + i) * 3u * HEADS * D + part * HEADS * D + (b % HEADS) * D;
}

// Where row i of problem b of o (or do) starts.
uint output_row(uint b, uint i) {
  if (HEADS == 0u) return (b * pc.tq + i) * DV;
  return ((b / HEADS) * pc.tq + i) * HEADS * D + (b % HEADS) * D;
}

// The last key any query of rows [first, first + count) can see under the causal rule, +1.
uint causal_key_end(uint first, uint count) {
  if (!CAUSAL) return pc.tk;
  int end = int(min(first + count, pc.tq)) + int(pc.tk) - int(pc.tq);
  return uint(clamp(end, 0, int(pc.tk)));
}

#endif
