#version 450
// CrossEntropy and CrossEntropyBackward in stages that share a small scratch buffer, so that
// every sum has a fixed order (no atomics):
//   0 rows:     a workgroup per row writes scratch[2r] = loss of row r, scratch[2r+1] = counted
//   1 finish:   one workgroup sums those into the mean loss (0 when nothing counts)
//   2 count:    one workgroup counts the counted targets into scratch[0]
//   3 backward: a workgroup per row writes dloss * (softmax(row) - one_hot(target)) / count
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "workgroup_reduce.glsl"

layout(constant_id = 1) const uint STAGE = 0;

layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer Logits { float logits[]; };
layout(std430, binding = 2) readonly buffer Targets { int targets[]; };
layout(std430, binding = 3) buffer Scratch { float scratch[]; };
layout(std430, binding = 4) readonly buffer DLoss { float dloss[]; };

layout(push_constant) uniform Push {
  uint base_out, base_logits, base_targets, base_scratch, base_dloss;
  uint rows, classes;
  int ignore_index;
} pc;

bool counted(int target) { return target != pc.ignore_index && target >= 0 && uint(target) < pc.classes; }

void main() {
  uint lane = gl_LocalInvocationID.x, width = gl_WorkGroupSize.x;
  if (STAGE == 1 || STAGE == 2) {
    if (gl_WorkGroupID.x != 0u) return;
    float total = 0.0, count = 0.0;
    for (uint r = lane; r < pc.rows; r += width) {
      if (STAGE == 1) {
        total += scratch[pc.base_scratch + 2u * r];
        count += scratch[pc.base_scratch + 2u * r + 1u];
      } else {
        count += counted(targets[pc.base_targets + r]) ? 1.0 : 0.0;
      }
    }
    count = heed_workgroup_sum(count);
    if (STAGE == 1) total = heed_workgroup_sum(total);
    if (lane == 0u) {
      if (STAGE == 1) out_[pc.base_out] = count > 0.0 ? total / count : 0.0;
      else scratch[pc.base_scratch] = count;
    }
    return;
  }
  for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x) {
    int target = targets[pc.base_targets + row];
    uint xs = pc.base_logits + row * pc.classes;
    bool live = counted(target);
    if (STAGE == 3) live = live && scratch[pc.base_scratch] > 0.0;
    if (!live) {
      if (STAGE == 0) {
        if (lane == 0u) {
          scratch[pc.base_scratch + 2u * row] = 0.0;
          scratch[pc.base_scratch + 2u * row + 1u] = 0.0;
        }
      } else {
        for (uint j = lane; j < pc.classes; j += width) out_[pc.base_out + row * pc.classes + j] = 0.0;
      }
      continue;
    }
    // The row's maximum and where it first occurs; `rest` sums exp(x - m) over every other
    // element, so log(sum) = log1p(rest) keeps its digits when the row is nearly one-hot (a
    // well-trained model's small losses).
    float m = -heed_inf;
    uint first = 0xffffffffu;
    for (uint j = lane; j < pc.classes; j += width) {
      float value = logits[xs + j];
      if (value > m || first == 0xffffffffu) {
        m = value;
        first = j;
      }
    }
    heed_workgroup_argmax(m, first);
    float rest = 0.0;
    for (uint j = lane; j < pc.classes; j += width)
      if (j != first) rest += exp(logits[xs + j] - m);
    rest = heed_workgroup_sum(rest);
    float s = 1.0 + rest;
    if (STAGE == 0) {
      if (lane == 0u) {
        scratch[pc.base_scratch + 2u * row] = heed_log1p(rest) + (m - logits[xs + uint(target)]);
        scratch[pc.base_scratch + 2u * row + 1u] = 1.0;
      }
    } else {
      float scale = dloss[pc.base_dloss] / scratch[pc.base_scratch], inverse = 1.0 / s;
      for (uint j = lane; j < pc.classes; j += width) {
        float p = exp(logits[xs + j] - m) * inverse;
        // p - 1 at the target, without cancellation when the target is the (first) maximum.
        if (j == uint(target)) p = j == first ? -rest * inverse : p - 1.0;
        out_[pc.base_out + row * pc.classes + j] = scale * p;
      }
    }
  }
}
