#version 450
// Embedding (a gather of table rows) and its backward, a deterministic scatter-add without
// float atomics: each workgroup owns one row of the gradient and walks the indices in order,
// so every sum is taken in index order whatever the scheduling.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool BACKWARD = false;

// Forward: out [N, D], table [V, D], indices [N]. Backward: out [V, D], dy [N, D], indices [N].
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer Values { float values[]; };
layout(std430, binding = 2) readonly buffer Indices { int indices[]; };

layout(push_constant) uniform Push {
  uint base_out, base_values, base_indices;
  uint positions, rows, width;  // N, V, D
} pc;

// Sized for the largest workgroup the host picks (256).
shared int chunk[256];

void main() {
  uint lane = gl_LocalInvocationID.x, threads = gl_WorkGroupSize.x;
  if (!BACKWARD) {
    uint stride = gl_NumWorkGroups.x * threads, count = pc.positions * pc.width;
    for (uint i = gl_GlobalInvocationID.x; i < count; i += stride) {
      uint position = i / pc.width, column = i - position * pc.width;
      int row = indices[pc.base_indices + position];
      out_[pc.base_out + i] = row >= 0 && uint(row) < pc.rows ? values[pc.base_values + uint(row) * pc.width + column] : 0.0;
    }
    return;
  }
  for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x) {
    for (uint column0 = 0u; column0 < pc.width; column0 += threads) {
      uint column = column0 + lane;
      float acc = 0.0;
      for (uint p0 = 0u; p0 < pc.positions; p0 += threads) {
        chunk[lane] = p0 + lane < pc.positions ? indices[pc.base_indices + p0 + lane] : -1;
        barrier();
        uint here = min(threads, pc.positions - p0);
        for (uint t = 0u; t < here; ++t)
          if (chunk[t] == int(row) && column < pc.width) acc += values[pc.base_values + (p0 + t) * pc.width + column];
        barrier();
      }
      if (column < pc.width) out_[pc.base_out + row * pc.width + column] = acc;
    }
  }
}
