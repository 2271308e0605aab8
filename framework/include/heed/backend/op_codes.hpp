// The numbers by which kernels name the elementwise ops: one list for the C++ backends and the
// GLSL shaders, which include this file too (so it holds nothing but #defines and comments).
// The core's op table gives each op its code (heed::op_info(op).code). Ops on one value are
// below 16, ops on two or three from 16: a pointwise program tells them apart by that alone.
#ifndef HEED_BACKEND_OP_CODES
#define HEED_BACKEND_OP_CODES

#define HEED_OP_NEG 0
#define HEED_OP_EXP 1
#define HEED_OP_LOG 2
#define HEED_OP_SQRT 3
#define HEED_OP_RSQRT 4
#define HEED_OP_TANH 5
#define HEED_OP_SIGMOID 6
#define HEED_OP_RELU 7
#define HEED_OP_GELU 8
#define HEED_OP_CAST_TO_I32 9   // f32 to i32, toward zero
#define HEED_OP_CAST_TO_F32 10  // i32 to f32
#define HEED_OP_COPY 11         // the bits unchanged: a cast to the same type, a strided read, no activation

#define HEED_OP_FIRST_BINARY 16
#define HEED_OP_ADD 16
#define HEED_OP_SUB 17
#define HEED_OP_MUL 18
#define HEED_OP_DIV 19
#define HEED_OP_POW 20
#define HEED_OP_EQUAL 21  // comparisons give 1 or 0
#define HEED_OP_NOT_EQUAL 22
#define HEED_OP_LESS 23
#define HEED_OP_LESS_EQUAL 24
#define HEED_OP_GREATER 25
#define HEED_OP_GREATER_EQUAL 26
#define HEED_OP_WHERE 27          // a != 0 ? b : c
#define HEED_OP_GELU_BACKWARD 28  // b * gelu'(a): a = x, b = dy

#define HEED_OP_NO_CODE -1  // an op that is not elementwise

#endif
