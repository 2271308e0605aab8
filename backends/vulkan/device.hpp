#pragma once
// The physical device heed runs on and the logical device made from it. Choice: a discrete GPU,
// then an integrated one, then a virtual one, then a CPU implementation (lavapipe);
// HEED_VULKAN_DEVICE=<index> (into vkEnumeratePhysicalDevices' list) overrides.
#include "instance.hpp"

#include <vulkan/vulkan.h>

#include <cstdint>
#include <mutex>
#include <string>

namespace heed::vulkan {

struct DeviceInfo {
  std::string name, type, driver;
  uint32_t api_version = 0;
  VkPhysicalDeviceLimits limits{};
  uint32_t subgroup_size = 1;
  bool subgroup_arithmetic = false;  // compute shaders may use subgroupAdd/Max/Min
  bool float64 = false;              // shaderFloat64, enabled on the device when offered
  // Device-local memory the host can map directly (CPU and integrated devices): values are
  // then read and written in place, without staging buffers.
  bool unified_memory = false;
  uint32_t queue_family = 0;
  uint8_t pipeline_cache_uuid[VK_UUID_SIZE] = {};
  uint32_t vendor_id = 0, device_id = 0;

  std::string describe() const;  // "llvmpipe (...) (cpu; driver llvmpipe Mesa 22.3.6; Vulkan 1.3; subgroup 8)"
};

class Device {
 public:
  explicit Device(const Instance& instance);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice get() const { return device_; }
  VkPhysicalDevice physical() const { return physical_; }
  VkQueue queue() const { return queue_; }
  const DeviceInfo& info() const { return info_; }

  // The index of a memory type allowed by type_bits with every `required` flag, preferring
  // those with every `preferred` one; throws when none fits.
  uint32_t memory_type(uint32_t type_bits, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) const;

  // Submits one command buffer and signals the fence; the queue is shared by every program.
  void submit(VkCommandBuffer commands, VkFence fence) const;

 private:
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  DeviceInfo info_;
  VkPhysicalDeviceMemoryProperties memory_{};
  mutable std::mutex queue_mutex_;  // vkQueueSubmit needs external synchronisation
};

}  // namespace heed::vulkan
