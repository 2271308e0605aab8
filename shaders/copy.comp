#version 450
// Strided copies: permute, slice, broadcast, one part of a concat, and assign. The host
// describes the region copied by its shape and the strides of source and destination.
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) writeonly buffer Out { uint y[]; };
layout(std430, binding = 1) readonly buffer In { uint x[]; };

const uint max_rank = 6;

layout(push_constant) uniform Push {
  uint base_y, base_x;
  uint count;
  uint rank;
  uint dims[max_rank];
  uint stride_x[max_rank];
  uint stride_y[max_rank];
} pc;

void main() {
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
    // The outermost axis takes what is left without a division.
    uint rest = i, ix = pc.base_x, iy = pc.base_y;
    for (uint d = pc.rank; d-- > 1u;) {
      uint q = rest / pc.dims[d], r = rest - q * pc.dims[d];
      ix += r * pc.stride_x[d];
      iy += r * pc.stride_y[d];
      rest = q;
    }
    if (pc.rank > 0u) {
      ix += rest * pc.stride_x[0];
      iy += rest * pc.stride_y[0];
    }
    y[iy] = x[ix];
  }
}
