#include "command_recorder.hpp"

namespace heed::vulkan {

void CommandRecorder::dispatch(VkPipeline pipeline, VkPipelineLayout layout, VkDescriptorSet set, std::span<const uint32_t> push,
                               std::array<uint32_t, 3> groups, std::span<const Access> accesses) {
  if (hazards_.conflicts(accesses))
    barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT,
            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  hazards_.record(accesses);
  if (pipeline != bound_) {
    vkCmdBindPipeline(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    bound_ = pipeline;
  }
  vkCmdBindDescriptorSets(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(commands_, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, static_cast<uint32_t>(push.size_bytes()), push.data());
  vkCmdDispatch(commands_, groups[0], groups[1], groups[2]);
  ++dispatches_;
}

void CommandRecorder::barrier(VkPipelineStageFlags source_stages, VkAccessFlags source_access, VkPipelineStageFlags target_stages,
                              VkAccessFlags target_access) {
  VkMemoryBarrier memory{};
  memory.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
  memory.srcAccessMask = source_access;
  memory.dstAccessMask = target_access;
  vkCmdPipelineBarrier(commands_, source_stages, target_stages, 0, 1, &memory, 0, nullptr, 0, nullptr);
  hazards_.clear();
  ++barriers_;
}

void CommandRecorder::copy(VkBuffer source, VkBuffer target, std::span<const VkBufferCopy> regions) {
  if (!regions.empty()) vkCmdCopyBuffer(commands_, source, target, static_cast<uint32_t>(regions.size()), regions.data());
}

}  // namespace heed::vulkan
