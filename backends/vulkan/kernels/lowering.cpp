#include "lowering.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <limits>

namespace heed::vulkan {

PushWords& PushWords::u32(int64_t value) {
  if (value < 0 || value > std::numeric_limits<uint32_t>::max()) fail("Vulkan: {} does not fit a 32-bit shader parameter", value);
  words_.push_back(static_cast<uint32_t>(value));
  return *this;
}

PushWords& PushWords::i32(int64_t value) {
  if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max())
    fail("Vulkan: {} does not fit a 32-bit shader parameter", value);
  words_.push_back(static_cast<uint32_t>(static_cast<int32_t>(value)));
  return *this;
}

PushWords& PushWords::f32(double value) { return bits(std::bit_cast<uint32_t>(static_cast<float>(value))); }

PushWords& PushWords::bits(uint32_t value) {
  words_.push_back(value);
  return *this;
}

PushWords& PushWords::array(std::span<const int64_t> values, size_t length) {
  if (values.size() > length) fail("Vulkan: {} values for a shader array of {} (internal error)", values.size(), length);
  for (int64_t value : values) u32(value);
  for (size_t i = values.size(); i < length; ++i) words_.push_back(0);
  return *this;
}

uint32_t Lowering::elementwise_size() const {
  return std::min({max_workgroup, device_.limits.maxComputeWorkGroupInvocations, device_.limits.maxComputeWorkGroupSize[0]});
}

uint32_t Lowering::row_size(int64_t width) const {
  uint32_t limit = std::min({max_workgroup, device_.limits.maxComputeWorkGroupInvocations, device_.limits.maxComputeWorkGroupSize[0]});
  limit = std::bit_floor(limit);
  uint32_t floor = std::min(limit, std::bit_ceil(std::max(32u, device_.subgroup_size)));
  uint32_t wanted = std::bit_ceil(static_cast<uint32_t>(std::clamp<int64_t>(width, 1, 1 << 20)));
  return std::clamp(wanted, floor, limit);
}

uint32_t Lowering::max_groups_x() const {
  // On a CPU implementation each workgroup is a task with a start-up cost and there are only a
  // few cores: a few hundred workgroups walking grid-stride loops beat tens of thousands of
  // small ones (2 binary ops over 4M elements on lavapipe: 180 ms with 256, 290 ms with 65535).
  if (device_.type == "cpu") return 256;
  return std::min(65535u, device_.limits.maxComputeWorkGroupCount[0]);
}

bool Lowering::cpu_variants() const {
  const char* gpu = std::getenv("HEED_VULKAN_GPU_VARIANTS");
  return device_.type == "cpu" && !(gpu && *gpu && *gpu != '0');
}

uint32_t Lowering::groups_for(int64_t count, uint32_t size) const {
  int64_t groups = (count + size - 1) / size;
  return static_cast<uint32_t>(std::clamp<int64_t>(groups, 1, max_groups_x()));
}


LowerFunction lowering_for(Op op) {
  switch (op) {
    case Op::Full:
    case Op::Arange:
    case Op::RandomUniform:
    case Op::RandomNormal:
    case Op::RandomGumbel: return lower_creation;
    case Op::Neg:
    case Op::Exp:
    case Op::Log:
    case Op::Sqrt:
    case Op::Rsqrt:
    case Op::Tanh:
    case Op::Sigmoid:
    case Op::Relu:
    case Op::Gelu:
    case Op::Cast: return lower_unary;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow:
    case Op::Equal:
    case Op::NotEqual:
    case Op::Less:
    case Op::LessEqual:
    case Op::Greater:
    case Op::GreaterEqual:
    case Op::Where:
    case Op::GeluBackward: return lower_binary;
    case Op::Sum:
    case Op::Max:
    case Op::Argmax: return lower_reduction;
    case Op::Reshape:  // aliases: never lowered, but supported
    case Op::StopGradient:
    case Op::Permute:
    case Op::Slice:
    case Op::Concat:
    case Op::Broadcast:
    case Op::Assign: return lower_shape;
    case Op::Matmul: return lower_matmul;
    case Op::Softmax:
    case Op::LogSoftmax:
    case Op::SoftmaxBackward:
    case Op::LogSoftmaxBackward:
    case Op::LayerNorm:
    case Op::LayerNormBackward: return lower_rows;
    case Op::Embedding:
    case Op::EmbeddingBackward: return lower_embedding;
    case Op::CrossEntropy:
    case Op::CrossEntropyBackward: return lower_cross_entropy;
    case Op::Attention:
    case Op::AttentionStatistics:
    case Op::AttentionBackward: return lower_attention;
    case Op::SgdUpdate:
    case Op::AdamWUpdate: return lower_optimizer;
    case Op::AllReduce: return lower_collective;
    case Op::Parameter:
    case Op::State:
    case Op::Input:
    case Op::Constant:
    case Op::Count_: return nullptr;
  }
  return nullptr;
}

}  // namespace heed::vulkan
