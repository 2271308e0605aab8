#version 450
// Elementwise ops of two or three inputs with numpy broadcasting: each input is read through
// its own strides (0 along broadcast axes) over the output's shape, after the host has merged
// axes that are contiguous in every operand (so most calls arrive here with rank 1).
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "math.glsl"

// 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 equal, 6 not_equal, 7 less, 8 less_equal, 9 greater,
// 10 greater_equal, 11 where (a is the condition), 12 gelu_backward (a = x, b = dy).
layout(constant_id = 1) const uint OP = 0;
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

float compare(bool r) { return r ? 1.0 : 0.0; }

uint apply_float(float u, float v) {
  switch (OP) {
    case 0: return floatBitsToUint(u + v);
    case 1: return floatBitsToUint(u - v);
    case 2: return floatBitsToUint(u * v);
    case 3: return floatBitsToUint(u / v);
    case 4: return floatBitsToUint(heed_pow(u, v));
    case 5: return floatBitsToUint(compare(u == v));
    case 6: return floatBitsToUint(compare(u != v));
    case 7: return floatBitsToUint(compare(u < v));
    case 8: return floatBitsToUint(compare(u <= v));
    case 9: return floatBitsToUint(compare(u > v));
    case 10: return floatBitsToUint(compare(u >= v));
    default: return floatBitsToUint(v * heed_gelu_grad(u));
  }
}

uint apply_int(int u, int v) {
  switch (OP) {
    case 0: return uint(u + v);
    case 1: return uint(u - v);
    case 2: return uint(u * v);
    case 5: return floatBitsToUint(compare(u == v));
    case 6: return floatBitsToUint(compare(u != v));
    case 7: return floatBitsToUint(compare(u < v));
    case 8: return floatBitsToUint(compare(u <= v));
    case 9: return floatBitsToUint(compare(u > v));
    default: return floatBitsToUint(compare(u >= v));
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
    if (OP == 11) {
      uint condition = a[ia];
      bool pick = INTEGER_CONDITION ? condition != 0u : uintBitsToFloat(condition) != 0.0;
      result = pick ? b[ib] : c[ic];
    } else if (INTEGER) {
      result = apply_int(int(a[ia]), int(b[ib]));
    } else {
      result = apply_float(uintBitsToFloat(a[ia]), uintBitsToFloat(b[ib]));
    }
    y[pc.base_y + i] = result;
  }
}
