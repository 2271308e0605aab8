#version 450
// The optimiser effects, in place on persistent values (docs/ops.md):
//   SGD:   g = grad + wd * param; velocity = momentum * velocity + g; param -= lr * velocity
//   AdamW: param *= 1 - lr * wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
//          param -= lr * (m / (1 - b1^step)) / (sqrt(v / (1 - b2^step)) + eps)
// evaluated as the CPU backend evaluates them (backends/cpu/optimizer.cpp), with no fused
// multiply-adds (`precise`), so that training follows the CPU's curve closely: AdamW's bias
// corrections 1 - beta^step cancel badly in float (beta2 = 0.999 loses 10 bits at step 1), so
// they are computed in double where the device has it, else through log1p and expm1.
layout(local_size_x_id = 0) in;  // before the includes: see workgroup_reduce.glsl
#extension GL_GOOGLE_include_directive : require
#include "math.glsl"

layout(constant_id = 1) const bool ADAMW = false;

layout(std430, binding = 0) buffer Param { float param[]; };
layout(std430, binding = 1) readonly buffer Grad { float grad[]; };
layout(std430, binding = 2) buffer M { float m[]; };  // SGD: the velocity
layout(std430, binding = 3) buffer V { float v[]; };  // SGD: unused
layout(std430, binding = 4) readonly buffer Hyper { float hyper[]; };

layout(push_constant) uniform Push {
  uint base_param, base_grad, base_m, base_v, base_hyper;
  uint count;
} pc;

// The step-dependent factors of AdamW, as the CPU computes them: in double, then rounded.
struct AdamFactors {
  float decay;      // 1 - lr * weight_decay
  float step_size;  // lr / (1 - beta1^step)
  float second;     // 1 / (1 - beta2^step)
};

#ifdef HEED_FP64
double power(double base, float exponent) {
  // Steps are whole numbers: repeated squaring is within a few double ulps of std::pow.
  if (floor(exponent) != exponent || abs(exponent) > 16777216.0) return double(heed_pow(float(base), exponent));
  double result = 1.0LF, factor = base;
  for (uint e = uint(abs(exponent)); e != 0u; e >>= 1) {
    if ((e & 1u) != 0u) result *= factor;
    factor *= factor;
  }
  return exponent < 0.0 ? 1.0LF / result : result;
}

AdamFactors adam_factors() {
  double lr = double(hyper[pc.base_hyper]), beta1 = double(hyper[pc.base_hyper + 1u]), beta2 = double(hyper[pc.base_hyper + 2u]);
  double decay = double(hyper[pc.base_hyper + 4u]);
  float step = hyper[pc.base_hyper + 5u];
  precise double scaled_decay = 1.0LF - lr * decay;
  precise double step_size = lr / (1.0LF - power(beta1, step));
  precise double second = 1.0LF / (1.0LF - power(beta2, step));
  return AdamFactors(float(scaled_decay), float(step_size), float(second));
}
#else
// log1p and expm1 to a couple of ulps, for 1 - beta^step = -expm1(step * log1p(beta - 1)).
float log1p_(float x) {
  if (abs(x) < 1e-2) return x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25)));
  float u = 1.0 + x;
  return log(u) * (x / (u - 1.0));  // Goldberg's correction for the rounding of 1 + x
}

float expm1_(float y) {
  if (abs(y) < 0.5) {
    float term = y, sum = y;
    for (int k = 2; k <= 10; ++k) {
      term *= y / float(k);
      sum += term;
    }
    return sum;
  }
  return exp(y) - 1.0;
}

float one_minus_power(float base, float exponent) {
  if (base <= 0.0) return 1.0 - heed_pow(base, exponent);
  return -expm1_(exponent * log1p_(base - 1.0));  // base - 1 is exact for base in [0.5, 2]
}

AdamFactors adam_factors() {
  float lr = hyper[pc.base_hyper], beta1 = hyper[pc.base_hyper + 1u], beta2 = hyper[pc.base_hyper + 2u];
  float decay = hyper[pc.base_hyper + 4u], step = hyper[pc.base_hyper + 5u];
  precise float scaled_decay = 1.0 - lr * decay;
  return AdamFactors(scaled_decay, lr / one_minus_power(beta1, step), 1.0 / one_minus_power(beta2, step));
}
#endif

void main() {
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (ADAMW) {
    AdamFactors factors = adam_factors();
    float beta1 = hyper[pc.base_hyper + 1u], beta2 = hyper[pc.base_hyper + 2u], eps = hyper[pc.base_hyper + 3u];
    for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
      float g = grad[pc.base_grad + i];
      precise float mi = beta1 * m[pc.base_m + i] + (1.0 - beta1) * g;
      precise float vi = beta2 * v[pc.base_v + i] + (1.0 - beta2) * g * g;
      m[pc.base_m + i] = mi;
      v[pc.base_v + i] = vi;
      precise float updated = param[pc.base_param + i] * factors.decay - factors.step_size * mi / (sqrt(vi * factors.second) + eps);
      param[pc.base_param + i] = updated;
    }
  } else {
    float lr = hyper[pc.base_hyper], momentum = hyper[pc.base_hyper + 1u], decay = hyper[pc.base_hyper + 2u];
    for (uint i = gl_GlobalInvocationID.x; i < pc.count; i += stride) {
      precise float g = grad[pc.base_grad + i] + decay * param[pc.base_param + i];
      precise float velocity = momentum * m[pc.base_m + i] + g;
      m[pc.base_m + i] = velocity;
      precise float updated = param[pc.base_param + i] - lr * velocity;
      param[pc.base_param + i] = updated;
    }
  }
}
