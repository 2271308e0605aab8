#version 450
// One-input elementwise ops and casts on dense values of the same shape (docs/ops.md).
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

// A one-input code of heed/backend/op_codes.hpp: an op on f32, a cast, or a copy of the bits.
layout(constant_id = 1) const uint OP = HEED_OP_COPY;

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
    if (OP == HEED_OP_CAST_TO_I32) result = uint(int(v));
    else if (OP == HEED_OP_CAST_TO_F32) result = floatBitsToUint(float(int(bits)));
    else if (OP == HEED_OP_COPY) result = bits;
    else result = floatBitsToUint(heed_apply(OP, v, 0.0, 0.0));
    y[pc.base_y + i] = result;
  }
}
