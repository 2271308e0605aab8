#version 450
// One-input elementwise ops and casts on dense values of the same shape (docs/ops.md).
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "math.glsl"

// 0 neg, 1 exp, 2 log, 3 sqrt, 4 rsqrt, 5 tanh, 6 sigmoid, 7 relu, 8 gelu,
// 9 cast f32 -> i32 (toward zero), 10 cast i32 -> f32, 11 copy the bits.
layout(constant_id = 1) const uint OP = 0;

layout(std430, binding = 0) writeonly buffer Out { uint y[]; };
layout(std430, binding = 1) readonly buffer In { uint x[]; };

layout(push_constant) uniform Push {
  uint base_y, base_x;
  uint count;
} pc;

void main() {
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
    uint bits = x[pc.base_x + i];
    float v = uintBitsToFloat(bits);
    uint result;
    switch (OP) {
      case 0: result = floatBitsToUint(-v); break;
      case 1: result = floatBitsToUint(exp(v)); break;
      case 2: result = floatBitsToUint(heed_log(v)); break;
      case 3: result = floatBitsToUint(heed_sqrt(v)); break;
      case 4: result = floatBitsToUint(heed_rsqrt(v)); break;
      case 5: result = floatBitsToUint(heed_tanh(v)); break;
      case 6: result = floatBitsToUint(heed_sigmoid(v)); break;
      case 7: result = floatBitsToUint(v > 0.0 ? v : 0.0); break;
      case 8: result = floatBitsToUint(heed_gelu(v)); break;
      case 9: result = uint(int(v)); break;
      case 10: result = floatBitsToUint(float(int(bits))); break;
      default: result = bits; break;
    }
    y[pc.base_y + i] = result;
  }
}
