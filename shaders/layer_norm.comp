#version 450
// LayerNorm over the last axis and its backward (dx only: the weight's and bias's gradients
// are ordinary graph ops). One workgroup per row; mean and variance in two passes for accuracy.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "workgroup_reduce.glsl"

layout(constant_id = 1) const bool BACKWARD = false;
layout(constant_id = 2) const bool HAS_WEIGHT = false;
layout(constant_id = 3) const bool HAS_BIAS = false;

// Forward: out, x, weight, bias. Backward: out (dx), x, dy, weight.
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer P { float p[]; };
layout(std430, binding = 3) readonly buffer Q { float q[]; };

layout(push_constant) uniform Push {
  uint base_out, base_x, base_p, base_q;
  uint rows, cols;
  float eps;
} pc;

float weight(uint j) {
  if (!HAS_WEIGHT) return 1.0;
  return BACKWARD ? q[pc.base_q + j] : p[pc.base_p + j];
}

void main() {
  uint lane = gl_LocalInvocationID.x, width = gl_WorkGroupSize.x;
  float count = float(pc.cols);
  for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x) {
    uint xs = pc.base_x + row * pc.cols, os = pc.base_out + row * pc.cols;
    float s = 0.0;
    for (uint j = lane; j < pc.cols; j += width) s += x[xs + j];
    float mean = heed_workgroup_sum(s) / count;
    float v = 0.0;
    for (uint j = lane; j < pc.cols; j += width) {
      float d = x[xs + j] - mean;
      v += d * d;
    }
    float rstd = inversesqrt(heed_workgroup_sum(v) / count + pc.eps);
    if (!BACKWARD) {
      for (uint j = lane; j < pc.cols; j += width) {
        float r = (x[xs + j] - mean) * rstd * weight(j);
        if (HAS_BIAS) r += q[pc.base_q + j];
        out_[os + j] = r;
      }
    } else {
      // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * weight.
      uint ds = pc.base_p + row * pc.cols;
      float sg = 0.0, sgx = 0.0;
      for (uint j = lane; j < pc.cols; j += width) {
        float g = p[ds + j] * weight(j);
        sg += g;
        sgx += g * (x[xs + j] - mean) * rstd;
      }
      float mean_g = heed_workgroup_sum(sg) / count;
      float mean_gx = heed_workgroup_sum(sgx) / count;
      for (uint j = lane; j < pc.cols; j += width) {
        float g = p[ds + j] * weight(j);
        out_[os + j] = rstd * (g - mean_g - (x[xs + j] - mean) * rstd * mean_gx);
      }
    }
  }
}
