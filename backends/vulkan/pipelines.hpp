#pragma once
// Compute pipelines, one per shader and set of specialisation constants, shared by every
// program of a backend and kept for its life. Layouts depend only on the number of storage
// buffers a shader binds; every pipeline takes the same 128 bytes of push constants (the
// minimum Vulkan guarantees), where shapes and strides go.
#include "device.hpp"
#include "handle.hpp"
#include "shaders.hpp"

#include <array>
#include <map>
#include <mutex>
#include <span>
#include <vector>

namespace heed::vulkan {

inline constexpr uint32_t push_constant_bytes = 128;
// pointwise.comp binds 16 storage buffers (its program, 8 read and 7 written), attention_backward.comp
// 9. Vulkan guarantees only 4 per stage, but desktop GPUs and lavapipe offer hundreds or more
// and mobile ones a few dozen.
inline constexpr uint32_t max_bindings = 16;

class PipelineStore {
 public:
  explicit PipelineStore(const Device& device);
  ~PipelineStore();
  PipelineStore(const PipelineStore&) = delete;
  PipelineStore& operator=(const PipelineStore&) = delete;

  // specialization[i] is the value of constant_id i (0 is the workgroup size).
  VkPipeline pipeline(Shader shader, std::span<const uint32_t> specialization, uint32_t bindings);
  VkPipelineLayout layout(uint32_t bindings) const { return layouts_.at(bindings).get(); }
  VkDescriptorSetLayout set_layout(uint32_t bindings) const { return set_layouts_.at(bindings).get(); }

  // Saves the pipeline cache to disk if pipelines were made since the last save.
  void save();

 private:
  VkShaderModule module(Shader shader);

  const Device& device_;
  std::mutex mutex_;
  PipelineCacheHandle cache_;
  std::array<DescriptorSetLayoutHandle, max_bindings + 1> set_layouts_;
  std::array<PipelineLayoutHandle, max_bindings + 1> layouts_;
  std::array<ShaderModuleHandle, shader_count> modules_;
  std::map<std::pair<Shader, std::vector<uint32_t>>, PipelineHandle> pipelines_;
  bool unsaved_ = false;
};

}  // namespace heed::vulkan
