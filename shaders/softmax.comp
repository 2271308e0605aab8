#version 450
// Softmax and LogSoftmax over the last axis (max-subtracted) and their dedicated backward ops.
// One workgroup per row; each invocation walks the row with the workgroup's stride.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "workgroup_reduce.glsl"

// 0 softmax(x), 1 log_softmax(x), 2 softmax_backward(y, dy), 3 log_softmax_backward(y, dy).
layout(constant_id = 1) const uint OP = 0;

layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };

layout(push_constant) uniform Push {
  uint base_out, base_x, base_dy;
  uint rows, cols;
} pc;

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
    } else {
      float d = 0.0;
      for (uint j = lane; j < pc.cols; j += width) d += dy[ds + j];
      d = heed_workgroup_sum(d);
      for (uint j = lane; j < pc.cols; j += width) out_[os + j] = dy[ds + j] - exp(x[xs + j]) * d;
    }
  }
}
