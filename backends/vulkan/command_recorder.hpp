#pragma once
// Records a program's one command buffer: dispatches in schedule order, with a barrier only
// where the hazard tracker finds one dispatch depends on an earlier one.
#include "hazards.hpp"

#include <vulkan/vulkan.h>

#include <span>

namespace heed::vulkan {

class CommandRecorder {
 public:
  explicit CommandRecorder(VkCommandBuffer commands) : commands_(commands) {}

  void dispatch(VkPipeline pipeline, VkPipelineLayout layout, VkDescriptorSet set, std::span<const uint32_t> push,
                std::array<uint32_t, 3> groups, std::span<const Access> accesses);
  // A global memory barrier; also forgets every pending access.
  void barrier(VkPipelineStageFlags source_stages, VkAccessFlags source_access, VkPipelineStageFlags target_stages,
               VkAccessFlags target_access);
  void copy(VkBuffer source, VkBuffer target, std::span<const VkBufferCopy> regions);

  int64_t dispatches() const { return dispatches_; }
  int64_t barriers() const { return barriers_; }

 private:
  VkCommandBuffer commands_;
  HazardTracker hazards_;
  VkPipeline bound_ = VK_NULL_HANDLE;
  int64_t dispatches_ = 0, barriers_ = 0;
};

}  // namespace heed::vulkan
