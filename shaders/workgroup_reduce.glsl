// Reductions across one workgroup, for shaders that give a workgroup to each row or output.
// Built twice (see backends/vulkan/meson.build): with HEED_SUBGROUP the subgroup arithmetic of
// Vulkan 1.1 does most of the work; without it a shared-memory tree does, which needs a
// power-of-two workgroup size (the host only picks such sizes). Every invocation of the
// workgroup must call these in uniform control flow; each returns the result to all of them.
#ifndef HEED_WORKGROUP_REDUCE_GLSL
#define HEED_WORKGROUP_REDUCE_GLSL

#include "math.glsl"

#ifdef HEED_SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

// Including shaders must declare layout(local_size_x_id = 0) before including this file: glslang
// binds gl_WorkGroupSize where it is first used, and before that declaration it is the constant
// (1, 1, 1), not the specialisation constant. Shared arrays are sized for the largest workgroup
// the host ever picks.
const uint heed_max_workgroup = 256u;
shared float heed_reduce_value[heed_max_workgroup];
shared uint heed_reduce_index[heed_max_workgroup];

#ifdef HEED_SUBGROUP

float heed_workgroup_sum(float v) {
  v = subgroupAdd(v);
  if (subgroupElect()) heed_reduce_value[gl_SubgroupID] = v;
  barrier();
  if (gl_SubgroupID == 0u) {
    // More subgroups than lanes is possible (small subgroups, large workgroups): fold first.
    float w = 0.0;
    for (uint i = gl_SubgroupInvocationID; i < gl_NumSubgroups; i += gl_SubgroupSize) w += heed_reduce_value[i];
    w = subgroupAdd(w);
    if (subgroupElect()) heed_reduce_value[0] = w;
  }
  barrier();
  float result = heed_reduce_value[0];
  barrier();  // the next call may overwrite the shared slots
  return result;
}

float heed_workgroup_max(float v) {
  v = subgroupMax(v);
  if (subgroupElect()) heed_reduce_value[gl_SubgroupID] = v;
  barrier();
  if (gl_SubgroupID == 0u) {
    float w = -heed_inf;
    for (uint i = gl_SubgroupInvocationID; i < gl_NumSubgroups; i += gl_SubgroupSize) w = max(w, heed_reduce_value[i]);
    w = subgroupMax(w);
    if (subgroupElect()) heed_reduce_value[0] = w;
  }
  barrier();
  float result = heed_reduce_value[0];
  barrier();
  return result;
}

// The largest value and the smallest index holding it (the first maximum).
void heed_workgroup_argmax(inout float v, inout uint index) {
  float best = heed_workgroup_max(v);
  uint candidate = v == best ? index : 0xffffffffu;
  candidate = subgroupMin(candidate);
  if (subgroupElect()) heed_reduce_index[gl_SubgroupID] = candidate;
  barrier();
  if (gl_SubgroupID == 0u) {
    uint w = 0xffffffffu;
    for (uint i = gl_SubgroupInvocationID; i < gl_NumSubgroups; i += gl_SubgroupSize) w = min(w, heed_reduce_index[i]);
    w = subgroupMin(w);
    if (subgroupElect()) heed_reduce_index[0] = w;
  }
  barrier();
  v = best;
  index = heed_reduce_index[0];
  barrier();
}

#else

float heed_workgroup_sum(float v) {
  uint lane = gl_LocalInvocationID.x;
  heed_reduce_value[lane] = v;
  barrier();
  for (uint width = gl_WorkGroupSize.x / 2u; width > 0u; width /= 2u) {
    if (lane < width) heed_reduce_value[lane] += heed_reduce_value[lane + width];
    barrier();
  }
  float result = heed_reduce_value[0];
  barrier();
  return result;
}

float heed_workgroup_max(float v) {
  uint lane = gl_LocalInvocationID.x;
  heed_reduce_value[lane] = v;
  barrier();
  for (uint width = gl_WorkGroupSize.x / 2u; width > 0u; width /= 2u) {
    if (lane < width) heed_reduce_value[lane] = max(heed_reduce_value[lane], heed_reduce_value[lane + width]);
    barrier();
  }
  float result = heed_reduce_value[0];
  barrier();
  return result;
}

void heed_workgroup_argmax(inout float v, inout uint index) {
  uint lane = gl_LocalInvocationID.x;
  heed_reduce_value[lane] = v;
  heed_reduce_index[lane] = index;
  barrier();
  for (uint width = gl_WorkGroupSize.x / 2u; width > 0u; width /= 2u) {
    if (lane < width) {
      float other = heed_reduce_value[lane + width];
      uint other_index = heed_reduce_index[lane + width];
      float mine = heed_reduce_value[lane];
      if (other > mine || (other == mine && other_index < heed_reduce_index[lane])) {
        heed_reduce_value[lane] = other;
        heed_reduce_index[lane] = other_index;
      }
    }
    barrier();
  }
  v = heed_reduce_value[0];
  index = heed_reduce_index[0];
  barrier();
}

#endif

#endif
