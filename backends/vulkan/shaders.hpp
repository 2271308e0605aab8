#pragma once
// The SPIR-V of shaders/*.comp, compiled at build time and embedded in the module.
#include <cstdint>
#include <span>
#include <string_view>

namespace heed::vulkan {

enum class Shader : uint8_t {
  Fill,
  Unary,
  Binary,
  Copy,
  Matmul,
  Embedding,
  Optimizer,
  Reduce,
  Softmax,
  LayerNorm,
  CrossEntropy,
  Attention,
  AttentionBackward,
  Pointwise,
  Count_
};

inline constexpr int shader_count = static_cast<int>(Shader::Count_);

std::string_view shader_name(Shader shader);

// The build of a shader for a device: shaders that reduce across a workgroup come with and
// without subgroup arithmetic, the fill and
// optimizer shaders with and without double precision (random values equal to the CPU's bit for
// bit, AdamW's bias corrections computed as the CPU computes them); other shaders have one build.
struct ShaderFeatures {
  bool subgroup_arithmetic = false;  // subgroupAdd/Max/Min in compute shaders
  bool float64 = false;              // shaderFloat64
};
std::span<const uint32_t> spirv(Shader shader, const ShaderFeatures& features);

}  // namespace heed::vulkan
