#version 450
// Softmax and LogSoftmax over the last axis (max-subtracted) and their dedicated backward ops.
// One workgroup per row; each invocation walks the row with the workgroup's stride.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "workgroup_reduce.glsl"

// 0 softmax(x), 1 log_softmax(x), 2 softmax_backward(y, dy), 3 log_softmax_backward(y, dy),
// 4 the softmax of scaled, masked scores (heed/masked_softmax_pattern.hpp): x * scale, then
// each mask in turn puts its fill where it is zero.
layout(constant_id = 1) const uint OP = 0;
layout(constant_id = 2) const uint MASKS = 0;  // OP 4: how many masks, up to 2

layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) readonly buffer Mask1 { float mask1[]; };
layout(std430, binding = 4) readonly buffer Mask2 { float mask2[]; };

layout(push_constant) uniform Push {
  uint base_out, base_x, base_dy, base_mask1, base_mask2;
  uint rows, cols;
  // OP 4 only: the rows' leading axes (merged) and each mask's strides along them and the row.
  float scale, fill1, fill2;
  uint rank;
  uint dims[4];
  uint mask1_strides[4];
  uint mask1_column;
  uint mask2_strides[4];
  uint mask2_column;
} pc;

// Where row `row` of the scores starts in a mask with these strides.
uint mask_row(uint row, uint strides[4]) {
  uint offset = 0u, rest = row;
  for (uint d = pc.rank; d-- > 0u;) {
    uint q = rest / pc.dims[d];
    offset += (rest - q * pc.dims[d]) * strides[d];
    rest = q;
  }
  return offset;
}

float masked_score(uint xs, uint m1, uint m2, uint j) {
  float value = x[xs + j] * pc.scale;
  if (MASKS >= 1u && mask1[m1 + j * pc.mask1_column] == 0.0) value = pc.fill1;
  if (MASKS >= 2u && mask2[m2 + j * pc.mask2_column] == 0.0) value = pc.fill2;
  return value;
}

void main() {
  uint lane = gl_LocalInvocationID.x, width = gl_WorkGroupSize.x;
  for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x) {
    uint xs = pc.base_x + row * pc.cols, ds = pc.base_dy + row * pc.cols, os = pc.base_out + row * pc.cols;
    if (OP == 0) {
      float m = -heed_inf;
      for (uint j = lane; j < pc.cols; j += width) m = max(m, x[xs + j]);
      m = heed_workgroup_max(m);
      float s = 0.0;
      for (uint j = lane; j < pc.cols; j += width) s += exp(x[xs + j] - m);
      float inverse = 1.0 / heed_workgroup_sum(s);
      for (uint j = lane; j < pc.cols; j += width) out_[os + j] = exp(x[xs + j] - m) * inverse;
    } else if (OP == 1) {
      // log(sum) as log1p of the sum over all but the first maximum: accurate for rows that
      // are nearly one-hot, whose log-probabilities are tiny.
      float m = -heed_inf;
      uint first = 0xffffffffu;
      for (uint j = lane; j < pc.cols; j += width) {
        float value = x[xs + j];
        if (value > m || first == 0xffffffffu) {
          m = value;
          first = j;
        }
      }
      heed_workgroup_argmax(m, first);
      float rest = 0.0;
      for (uint j = lane; j < pc.cols; j += width)
        if (j != first) rest += exp(x[xs + j] - m);
      float log_sum = heed_log1p(heed_workgroup_sum(rest));
      for (uint j = lane; j < pc.cols; j += width) out_[os + j] = (x[xs + j] - m) - log_sum;
    } else if (OP == 2) {
      float d = 0.0;
      for (uint j = lane; j < pc.cols; j += width) d += dy[ds + j] * x[xs + j];
      d = heed_workgroup_sum(d);
      for (uint j = lane; j < pc.cols; j += width) out_[os + j] = x[xs + j] * (dy[ds + j] - d);
    } else if (OP == 4) {
      const uint m1 = MASKS >= 1u ? pc.base_mask1 + mask_row(row, pc.mask1_strides) : 0u;
      const uint m2 = MASKS >= 2u ? pc.base_mask2 + mask_row(row, pc.mask2_strides) : 0u;
      float m = -heed_inf;
      for (uint j = lane; j < pc.cols; j += width) m = max(m, masked_score(xs, m1, m2, j));
      m = heed_workgroup_max(m);
      float s = 0.0;
      for (uint j = lane; j < pc.cols; j += width) s += exp(masked_score(xs, m1, m2, j) - m);
      float inverse = 1.0 / heed_workgroup_sum(s);
      for (uint j = lane; j < pc.cols; j += width) out_[os + j] = exp(masked_score(xs, m1, m2, j) - m) * inverse;
    } else {
      float d = 0.0;
      for (uint j = lane; j < pc.cols; j += width) d += dy[ds + j];
      d = heed_workgroup_sum(d);
      for (uint j = lane; j < pc.cols; j += width) out_[os + j] = dy[ds + j] - exp(x[xs + j]) * d;
    }
  }
}
