// The elementwise ops on f32, by their codes in heed/backend/op_codes.hpp: the one place a
// shader says what each op computes. unary.comp, binary.comp and matmul.comp's epilogue pass a
// specialisation constant, which the compiler folds to one case; pointwise.comp a code per
// instruction of its program.
#ifndef HEED_ELEMENTWISE_GLSL
#define HEED_ELEMENTWISE_GLSL

#include "math.glsl"
#include "op_codes.hpp"

float heed_compare(bool holds) { return holds ? 1.0 : 0.0; }

float heed_apply(uint op, float a, float b, float c) {
  switch (op) {
    case HEED_OP_NEG: return -a;
    case HEED_OP_EXP: return exp(a);
    case HEED_OP_LOG: return heed_log(a);
    case HEED_OP_SQRT: return heed_sqrt(a);
    case HEED_OP_RSQRT: return heed_rsqrt(a);
    case HEED_OP_TANH: return heed_tanh(a);
    case HEED_OP_SIGMOID: return heed_sigmoid(a);
    case HEED_OP_RELU: return a > 0.0 ? a : 0.0;
    case HEED_OP_GELU: return heed_gelu(a);
    case HEED_OP_ADD: return a + b;
    case HEED_OP_SUB: return a - b;
    case HEED_OP_MUL: return a * b;
    case HEED_OP_DIV: return a / b;
    case HEED_OP_POW: return heed_pow(a, b);
    case HEED_OP_EQUAL: return heed_compare(a == b);
    case HEED_OP_NOT_EQUAL: return heed_compare(a != b);
    case HEED_OP_LESS: return heed_compare(a < b);
    case HEED_OP_LESS_EQUAL: return heed_compare(a <= b);
    case HEED_OP_GREATER: return heed_compare(a > b);
    case HEED_OP_GREATER_EQUAL: return heed_compare(a >= b);
    case HEED_OP_WHERE: return a != 0.0 ? b : c;
    case HEED_OP_GELU_BACKWARD: return b * heed_gelu_grad(a);
    default: return a;  // HEED_OP_COPY
  }
}

#endif
