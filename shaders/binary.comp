#version 450
// Elementwise ops of two or three inputs with numpy broadcasting: each input is read through
// its own strides (0 along broadcast axes) over the output's shape, after the host has merged
// axes that are contiguous in every operand (so most calls arrive here with rank 1).
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

// A code of heed/backend/op_codes.hpp from HEED_OP_FIRST_BINARY (where: a is the condition).
layout(constant_id = 1) const uint OP = HEED_OP_ADD;
layout(constant_id = 2) const bool INTEGER = false;       // a and b (for where: b and c) are i32
layout(constant_id = 3) const bool INTEGER_CONDITION = false;  // where's condition is i32

layout(std430, binding = 0) writeonly buffer Out { uint y[]; };
layout(std430, binding = 1) readonly buffer A { uint a[]; };
layout(std430, binding = 2) readonly buffer B { uint b[]; };
layout(std430, binding = 3) readonly buffer C { uint c[]; };

const uint max_rank = 6;

layout(push_constant) uniform Push {
  uint base_y, base_a, base_b, base_c;
  uint count;
  uint rank;
  uint dims[max_rank];
  uint stride_a[max_rank];
  uint stride_b[max_rank];
  uint stride_c[max_rank];
} pc;

// i32 arithmetic and comparisons (the ops docs/ops.md allows on i32); the rest go through f32.
uint apply_int(int u, int v) {
  switch (OP) {
    case HEED_OP_ADD: return uint(u + v);
    case HEED_OP_SUB: return uint(u - v);
    case HEED_OP_MUL: return uint(u * v);
    case HEED_OP_EQUAL: return floatBitsToUint(heed_compare(u == v));
    case HEED_OP_NOT_EQUAL: return floatBitsToUint(heed_compare(u != v));
    case HEED_OP_LESS: return floatBitsToUint(heed_compare(u < v));
    case HEED_OP_LESS_EQUAL: return floatBitsToUint(heed_compare(u <= v));
    case HEED_OP_GREATER: return floatBitsToUint(heed_compare(u > v));
    default: return floatBitsToUint(heed_compare(u >= v));
  }
}

void main() {
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
    // The outermost axis takes what is left without a division: rank 1, the usual case once
    // the host has merged axes, costs none.
    uint rest = i, ia = pc.base_a, ib = pc.base_b, ic = pc.base_c;
    for (uint d = pc.rank; d-- > 1u;) {
      uint q = rest / pc.dims[d], r = rest - q * pc.dims[d];
      ia += r * pc.stride_a[d];
      ib += r * pc.stride_b[d];
      ic += r * pc.stride_c[d];
      rest = q;
    }
    if (pc.rank > 0u) {
      ia += rest * pc.stride_a[0];
      ib += rest * pc.stride_b[0];
      ic += rest * pc.stride_c[0];
    }
    uint result;
    if (OP == HEED_OP_WHERE) {
      uint condition = a[ia];
      bool pick = INTEGER_CONDITION ? condition != 0u : uintBitsToFloat(condition) != 0.0;
      result = pick ? b[ib] : c[ic];
    } else if (INTEGER) {
      result = apply_int(int(a[ia]), int(b[ib]));
    } else {
      result = floatBitsToUint(heed_apply(OP, uintBitsToFloat(a[ia]), uintBitsToFloat(b[ib]), 0.0));
    }
    y[pc.base_y + i] = result;
  }
}
