#version 450
// Creation ops, which read nothing but attributes (and the random counter): Full, Arange and
// the counter-based random ops. One invocation per element, grid-stride.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "random.glsl"

// 0 full (the value's bits), 1 arange f32, 2 arange i32, 3 uniform, 4 normal, 5 gumbel.
layout(constant_id = 1) const uint MODE = 0;
layout(constant_id = 2) const bool HAS_COUNTER = false;

layout(std430, binding = 0) writeonly buffer Out { uint y[]; };
layout(std430, binding = 1) readonly buffer Counter { int counter[]; };

layout(push_constant) uniform Push {
  uint base_y, base_counter;
  uint count;
  uint bits;        // full: the value, already converted to the dtype on the host
  float start_f, step_f;
  int start_i, step_i;
  uint seed;
  uint start_low, start_high, step_low, step_high;  // Arange's start and step as doubles
} pc;

// Arange as the CPU computes it, start + i * step in double then converted, where the device
// has doubles; otherwise in float (exact for whole numbers, within an ulp otherwise).
#ifdef HEED_FP64
float arange_f32(uint i) {
  precise double value = packDouble2x32(uvec2(pc.start_low, pc.start_high)) + double(i) * packDouble2x32(uvec2(pc.step_low, pc.step_high));
  return float(value);
}
int arange_i32(uint i) {
  precise double value = packDouble2x32(uvec2(pc.start_low, pc.start_high)) + double(i) * packDouble2x32(uvec2(pc.step_low, pc.step_high));
  return int(value);
}
#else
float arange_f32(uint i) { return fma(float(i), pc.step_f, pc.start_f); }
int arange_i32(uint i) { return pc.start_i + int(i) * pc.step_i; }
#endif

void main() {
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  uint draw = HAS_COUNTER ? uint(counter[pc.base_counter]) : 0u;
  for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
    uint value;
    switch (MODE) {
      case 0: value = pc.bits; break;
      case 1: value = floatBitsToUint(arange_f32(i)); break;
      case 2: value = uint(arange_i32(i)); break;
      case 3: value = floatBitsToUint(heed_uniform(pc.seed, draw, i)); break;
      case 4: value = floatBitsToUint(heed_normal(pc.seed, draw, i)); break;
      default: value = floatBitsToUint(heed_gumbel(pc.seed, draw, i)); break;
    }
    y[pc.base_y + i] = value;
  }
}
