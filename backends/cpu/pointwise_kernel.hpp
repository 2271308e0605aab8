#pragma once
// A chain of pointwise ops over one shape, run as one kernel: element block by element block,
// every op of the chain on a block before the next block, so that values the chain makes and
// uses itself stay in a small scratch and never go to memory. fusion.cpp decides what a chain
// holds; this is the interpreter that runs it.
#include "kernel.hpp"
#include "parallel.hpp"

#include <heed/backend/op_codes.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace heed::cpu {

// The ops the interpreter runs, by their codes (heed/backend/op_codes.hpp).
enum class PointwiseOp : uint8_t {
  Copy = HEED_OP_COPY, Neg = HEED_OP_NEG, Exp = HEED_OP_EXP, Sqrt = HEED_OP_SQRT, Rsqrt = HEED_OP_RSQRT, Tanh = HEED_OP_TANH,
  Sigmoid = HEED_OP_SIGMOID, Relu = HEED_OP_RELU, Add = HEED_OP_ADD, Sub = HEED_OP_SUB, Mul = HEED_OP_MUL, Div = HEED_OP_DIV,
  Equal = HEED_OP_EQUAL, NotEqual = HEED_OP_NOT_EQUAL, Less = HEED_OP_LESS, LessEqual = HEED_OP_LESS_EQUAL, Greater = HEED_OP_GREATER,
  GreaterEqual = HEED_OP_GREATER_EQUAL, Where = HEED_OP_WHERE,
};
inline constexpr PointwiseOp interpreted_ops[] = {PointwiseOp::Copy, PointwiseOp::Neg, PointwiseOp::Exp, PointwiseOp::Sqrt, PointwiseOp::Rsqrt,
                                                  PointwiseOp::Tanh, PointwiseOp::Sigmoid, PointwiseOp::Relu, PointwiseOp::Add, PointwiseOp::Sub,
                                                  PointwiseOp::Mul, PointwiseOp::Div, PointwiseOp::Equal, PointwiseOp::NotEqual, PointwiseOp::Less,
                                                  PointwiseOp::LessEqual, PointwiseOp::Greater, PointwiseOp::GreaterEqual, PointwiseOp::Where};

// Where an operand's block lies: a dense buffer read at the block's own positions, or a scratch
// slot (a value of the chain, a constant, or a strided read gathered once per block).
struct PointwiseRef {
  float* memory = nullptr;  // dense, indexed by the flat position
  int slot = -1;
};

struct PointwiseInstruction {
  PointwiseOp op;
  int operands = 0;
  PointwiseRef inputs[3];
  PointwiseRef output;
};

// A read of a tensor through strides (a broadcast or a slice), gathered into `into` per block.
struct PointwiseLoad {
  const float* base;
  StridedLoop<1> loop;
  PointwiseRef into;
};

// A value of the chain written through strides into part of a bigger buffer (its place in the
// concat that reads it), scattered from `from` at the end of each block.
struct PointwiseStore {
  float* base;
  StridedLoop<1> loop;
  PointwiseRef from;
};

struct PointwiseConstant {
  float value;
  int slot;
};

struct PointwiseProgram {
  int64_t count = 0;  // elements of the chain's shape
  int slots = 0;
  std::vector<PointwiseConstant> constants;
  std::vector<PointwiseLoad> loads;
  std::vector<PointwiseInstruction> instructions;
  std::vector<PointwiseStore> stores;
};

// Scratch slots a chain may use; fusion.cpp ends a chain before it needs more.
inline constexpr int max_pointwise_slots = 48;

// Runs `program`, then `after` (kernels of nodes inside the chain's span that do not depend on
// it, such as a fill of zeros that something later reads).
std::unique_ptr<Kernel> pointwise_kernel(PointwiseProgram program, std::vector<std::unique_ptr<Kernel>> after);

}  // namespace heed::cpu
