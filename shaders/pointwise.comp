#version 450
// A chain of pointwise ops over one shape as one dispatch (backends/vulkan/kernels/
// pointwise_chain.cpp): an LSTM cell's gates, its backward, tanh(query + keys) and the like,
// which would otherwise take a dispatch per op. The chain is a small program in a storage
// buffer, interpreted per element: its constants and loads fill registers (a load reads an
// outside value through strides over the chain's shape, merged to at most 4 axes), its
// instructions compute registers from registers, and its stores write registers densely at the
// element's position. Every load comes before any store, so a store may take the bytes of a
// dense load of the same element (the planner reuses bytes that way).
layout(local_size_x = 64) in;
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

// The program: rank, dims[4], then counts of constants, loads, instructions and stores, then
//   constants:    register, bits
//   loads:        binding, register, first element, strides[4]
//   instructions: op | a << 8 | b << 16 | c << 24, output register
//   stores:       binding, register
layout(std430, binding = 0) readonly buffer Program { uint program[]; };
// Bindings 1-8 are read, 9-15 written: a value loaded and stored in place has one of each.
layout(std430, binding = 1) readonly buffer R1 { float r1[]; };
layout(std430, binding = 2) readonly buffer R2 { float r2[]; };
layout(std430, binding = 3) readonly buffer R3 { float r3[]; };
layout(std430, binding = 4) readonly buffer R4 { float r4[]; };
layout(std430, binding = 5) readonly buffer R5 { float r5[]; };
layout(std430, binding = 6) readonly buffer R6 { float r6[]; };
layout(std430, binding = 7) readonly buffer R7 { float r7[]; };
layout(std430, binding = 8) readonly buffer R8 { float r8[]; };
layout(std430, binding = 9) writeonly buffer W9 { float w9[]; };
layout(std430, binding = 10) writeonly buffer W10 { float w10[]; };
layout(std430, binding = 11) writeonly buffer W11 { float w11[]; };
layout(std430, binding = 12) writeonly buffer W12 { float w12[]; };
layout(std430, binding = 13) writeonly buffer W13 { float w13[]; };
layout(std430, binding = 14) writeonly buffer W14 { float w14[]; };
layout(std430, binding = 15) writeonly buffer W15 { float w15[]; };

layout(push_constant) uniform Push {
  uint base[16];  // per binding, the bound value's offset in elements
  uint count;     // elements of the chain's shape
} pc;

const uint max_registers = 48;
// The registers, one column per invocation: a program's register index is the same in every
// invocation, so reading register k is one contiguous row (an invocation-private array indexed
// at run time would be a gather in lavapipe and spill on GPUs). The workgroup is 64 wide.
shared float registers[max_registers][64];

float load(uint binding, uint at) {
  at += pc.base[binding];
  switch (binding) {
    case 1: return r1[at];
    case 2: return r2[at];
    case 3: return r3[at];
    case 4: return r4[at];
    case 5: return r5[at];
    case 6: return r6[at];
    case 7: return r7[at];
    default: return r8[at];
  }
}

void store(uint binding, uint at, float value) {
  at += pc.base[binding];
  switch (binding) {
    case 9: w9[at] = value; break;
    case 10: w10[at] = value; break;
    case 11: w11[at] = value; break;
    case 12: w12[at] = value; break;
    case 13: w13[at] = value; break;
    case 14: w14[at] = value; break;
    default: w15[at] = value; break;
  }
}

void main() {
  const uint rank = program[0];
  const uint constants = program[5], loads = program[6], instructions = program[7], stores = program[8];
  const uint first_load = 9u + 2u * constants, first_instruction = first_load + 7u * loads;
  const uint first_store = first_instruction + 2u * instructions;
  const uint lane = gl_LocalInvocationID.x;
  for (uint c = 0u; c < constants; ++c) registers[program[9u + 2u * c]][lane] = uintBitsToFloat(program[10u + 2u * c]);
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  for (uint e = gl_GlobalInvocationID.x; e < pc.count; e += stride) {
    for (uint l = 0u; l < loads; ++l) {
      const uint at = first_load + 7u * l;
      uint rest = e, offset = program[at + 2u];
      for (uint d = rank; d-- > 0u;) {
        const uint q = rest / program[1u + d];
        offset += (rest - q * program[1u + d]) * program[at + 3u + d];
        rest = q;
      }
      registers[program[at + 1u]][lane] = load(program[at], offset);
    }
    for (uint i = 0u; i < instructions; ++i) {
      const uint word = program[first_instruction + 2u * i];
      registers[program[first_instruction + 2u * i + 1u]][lane] = heed_apply(word & 255u, registers[(word >> 8) & 255u][lane],
                                                                         registers[(word >> 16) & 255u][lane], registers[(word >> 24) & 255u][lane]);
    }
    for (uint s = 0u; s < stores; ++s) store(program[first_store + 2u * s], e, registers[program[first_store + 2u * s + 1u]][lane]);
  }
}
