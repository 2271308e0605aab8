#version 450
// Sum, Max and Argmax over any set of axes. The host splits the input's axes into kept ones
// (the output's, dense, in order) and reduced ones, each with its input strides. Small
// reductions give each output to one invocation, summing in order; large ones give each
// output to a workgroup (see workgroup_reduce.glsl).
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "workgroup_reduce.glsl"

layout(constant_id = 1) const uint OP = 0;  // 0 sum, 1 max, 2 argmax
layout(constant_id = 2) const bool PER_WORKGROUP = false;

layout(std430, binding = 0) writeonly buffer Out { uint y[]; };
layout(std430, binding = 1) readonly buffer In { float x[]; };

const uint max_rank = 6;

layout(push_constant) uniform Push {
  uint base_y, base_x;
  uint outer_count, inner_count;
  uint outer_rank, inner_rank;
  uint outer_dims[max_rank];
  uint outer_strides[max_rank];
  uint inner_dims[max_rank];
  uint inner_strides[max_rank];
} pc;

// The outermost axis of each takes what is left without a division.
uint outer_offset(uint o) {
  uint offset = pc.base_x;
  for (uint d = pc.outer_rank; d-- > 1u;) {
    uint q = o / pc.outer_dims[d];
    offset += (o - q * pc.outer_dims[d]) * pc.outer_strides[d];
    o = q;
  }
  return pc.outer_rank > 0u ? offset + o * pc.outer_strides[0] : offset;
}

uint inner_offset(uint j) {
  uint offset = 0u;
  for (uint d = pc.inner_rank; d-- > 1u;) {
    uint q = j / pc.inner_dims[d];
    offset += (j - q * pc.inner_dims[d]) * pc.inner_strides[d];
    j = q;
  }
  return pc.inner_rank > 0u ? offset + j * pc.inner_strides[0] : offset;
}

// Folds element j (value v) into the running (value, index) of this invocation.
void fold(inout float acc, inout uint best, float v, uint j) {
  if (OP == 0) acc += v;
  else if (OP == 1) acc = max(acc, v);
  else if (v > acc || best == 0xffffffffu) {
    acc = v;
    best = j;
  }
}

float initial() { return OP == 0 ? 0.0 : -heed_inf; }

uint result_bits(float acc, uint best) { return OP == 2 ? best : floatBitsToUint(acc); }

void main() {
  if (PER_WORKGROUP) {
    for (uint o = gl_WorkGroupID.x; o < pc.outer_count; o += gl_NumWorkGroups.x) {
      uint base = outer_offset(o);
      float acc = initial();
      uint best = 0xffffffffu;
      for (uint j = gl_LocalInvocationID.x; j < pc.inner_count; j += gl_WorkGroupSize.x) fold(acc, best, x[base + inner_offset(j)], j);
      if (OP == 0) acc = heed_workgroup_sum(acc);
      else if (OP == 1) acc = heed_workgroup_max(acc);
      else heed_workgroup_argmax(acc, best);
      if (gl_LocalInvocationID.x == 0u) y[pc.base_y + o] = result_bits(acc, best);
    }
  } else {
    uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    for (uint o = gl_GlobalInvocationID.x; o < pc.outer_count; o += stride) {
      uint base = outer_offset(o);
      float acc = initial();
      uint best = 0xffffffffu;
      for (uint j = 0u; j < pc.inner_count; ++j) fold(acc, best, x[base + inner_offset(j)], j);
      y[pc.base_y + o] = result_bits(acc, best);
    }
  }
}
