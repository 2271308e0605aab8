#include "buffers.hpp"

#include "vk_error.hpp"

#include <heed/error.hpp>

#include <algorithm>

namespace heed::vulkan {

Buffer::Buffer(const Device& device, int64_t bytes, MemoryUse use, std::string_view what) : size_(std::max<int64_t>(bytes, 16)) {
  VkDevice vk = device.get();
  VkBufferCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  info.size = static_cast<VkDeviceSize>(size_);
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  check(vkCreateBuffer(vk, &info, nullptr, &buffer), fmt::format("vkCreateBuffer for {} ({} bytes)", what, size_));
  buffer_ = BufferHandle(vk, buffer);

  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(vk, buffer, &requirements);
  const bool unified = device.info().unified_memory;
  VkMemoryPropertyFlags required = 0, preferred = 0;
  switch (use) {
    case MemoryUse::Device:
      required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
      if (unified) required |= VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
    case MemoryUse::Upload:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      break;
    case MemoryUse::Readback:
      required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
      break;
  }
  VkMemoryAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  allocate.allocationSize = requirements.size;
  allocate.memoryTypeIndex = device.memory_type(requirements.memoryTypeBits, required, preferred);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  check(vkAllocateMemory(vk, &allocate, nullptr, &memory), fmt::format("vkAllocateMemory for {} ({} bytes)", what, size_));
  memory_ = MemoryHandle(vk, memory);
  check(vkBindBufferMemory(vk, buffer, memory, 0), fmt::format("vkBindBufferMemory for {}", what));
  if (use != MemoryUse::Device || unified) {
    void* pointer = nullptr;
    check(vkMapMemory(vk, memory, 0, VK_WHOLE_SIZE, 0, &pointer), fmt::format("vkMapMemory for {}", what));
    mapped_ = static_cast<std::byte*>(pointer);
  }
}

}  // namespace heed::vulkan
