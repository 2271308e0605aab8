#include "device.hpp"

#include "vk_error.hpp"

#include <heed/error.hpp>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace heed::vulkan {

namespace {

std::string_view type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

int preference(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

// A queue family that can run compute shaders; prefer one without graphics (a dedicated
// compute queue runs beside a display's work on real GPUs).
int compute_family(VkPhysicalDevice device) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(device, &count, families.data());
  int found = -1;
  for (uint32_t i = 0; i < count; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || families[i].queueCount == 0) continue;
    if (!(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) return static_cast<int>(i);
    if (found < 0) found = static_cast<int>(i);
  }
  return found;
}

std::string device_name(VkPhysicalDevice device) {
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(device, &properties);
  return fmt::format("{} ({})", properties.deviceName, type_name(properties.deviceType));
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
  uint32_t count = 0;
  check(vkEnumeratePhysicalDevices(instance, &count, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> devices(count);
  VkResult result = vkEnumeratePhysicalDevices(instance, &count, devices.data());
  if (result != VK_INCOMPLETE) check(result, "vkEnumeratePhysicalDevices");
  devices.resize(count);
  return devices;
}

VkPhysicalDevice choose(const Instance& instance) {
  std::vector<VkPhysicalDevice> devices = physical_devices(instance.get());
  if (devices.empty()) fail("no Vulkan device found; for a CPU implementation, apt-get install mesa-vulkan-drivers");
  std::vector<std::string> names;
  for (size_t i = 0; i < devices.size(); ++i) names.push_back(fmt::format("{}: {}", i, device_name(devices[i])));

  auto usable = [&](VkPhysicalDevice device) -> std::string {
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(device, &properties);
    if (properties.apiVersion < VK_API_VERSION_1_1) return "it supports only Vulkan 1.0; heed's shaders need 1.1";
    if (compute_family(device) < 0) return "it has no compute queue";
    return {};
  };

  if (const char* text = std::getenv("HEED_VULKAN_DEVICE"); text && *text) {
    char* end = nullptr;
    long index = std::strtol(text, &end, 10);
    if (*end != '\0' || index < 0 || index >= static_cast<long>(devices.size()))
      fail("HEED_VULKAN_DEVICE={} does not name a device; the devices are:\n  {}", text, fmt::join(names, "\n  "));
    VkPhysicalDevice device = devices[static_cast<size_t>(index)];
    if (std::string why = usable(device); !why.empty()) fail("HEED_VULKAN_DEVICE={} chose {}, but {}", text, device_name(device), why);
    return device;
  }

  VkPhysicalDevice best = VK_NULL_HANDLE;
  int best_rank = 1 << 30;
  std::vector<std::string> reasons;
  for (VkPhysicalDevice device : devices) {
    if (std::string why = usable(device); !why.empty()) {
      reasons.push_back(fmt::format("{}: {}", device_name(device), why));
      continue;
    }
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(device, &properties);
    if (preference(properties.deviceType) < best_rank) {
      best = device;
      best_rank = preference(properties.deviceType);
    }
  }
  if (!best) fail("no usable Vulkan device:\n  {}", fmt::join(reasons, "\n  "));
  return best;
}

}  // namespace

std::string DeviceInfo::describe() const {
  return fmt::format("{} ({}; driver {}; Vulkan {}.{}; subgroup {}{}{})", name, type, driver, VK_API_VERSION_MAJOR(api_version),
                     VK_API_VERSION_MINOR(api_version), subgroup_size, subgroup_arithmetic ? "" : " without arithmetic",
                     float64 ? "" : "; no float64: normal and Gumbel draws within a few ulp of the CPU's");
}

Device::Device(const Instance& instance) : physical_(choose(instance)) {
  VkPhysicalDeviceSubgroupProperties subgroup{};
  subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
  VkPhysicalDeviceDriverProperties driver{};
  driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
  VkPhysicalDeviceProperties plain;
  vkGetPhysicalDeviceProperties(physical_, &plain);
  bool has_driver_properties = instance.api_version() >= VK_API_VERSION_1_2 && plain.apiVersion >= VK_API_VERSION_1_2;
  subgroup.pNext = has_driver_properties ? &driver : nullptr;
  VkPhysicalDeviceProperties2 properties{};
  properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
  properties.pNext = &subgroup;
  vkGetPhysicalDeviceProperties2(physical_, &properties);

  info_.name = properties.properties.deviceName;
  info_.type = type_name(properties.properties.deviceType);
  info_.driver = has_driver_properties ? fmt::format("{} {}", driver.driverName, driver.driverInfo)
                                       : fmt::format("version {:#x}", properties.properties.driverVersion);
  info_.api_version = properties.properties.apiVersion;
  info_.limits = properties.properties.limits;
  info_.subgroup_size = std::max(1u, subgroup.subgroupSize);
  info_.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                              (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT) &&
                              (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
  // For testing the shared-memory paths on a device that has subgroups.
  if (const char* off = std::getenv("HEED_VULKAN_NO_SUBGROUPS"); off && *off && *off != '0') info_.subgroup_arithmetic = false;
  info_.queue_family = static_cast<uint32_t>(compute_family(physical_));
  info_.vendor_id = properties.properties.vendorID;
  info_.device_id = properties.properties.deviceID;
  std::copy(std::begin(properties.properties.pipelineCacheUUID), std::end(properties.properties.pipelineCacheUUID),
            std::begin(info_.pipeline_cache_uuid));

  vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
  bool shared_memory_device = properties.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU ||
                              properties.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  constexpr VkMemoryPropertyFlags unified = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                            VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
    if ((memory_.memoryTypes[i].propertyFlags & unified) == unified && shared_memory_device) info_.unified_memory = true;
  // For testing the staging paths of discrete GPUs on a CPU implementation.
  if (const char* off = std::getenv("HEED_VULKAN_NO_UNIFIED_MEMORY"); off && *off && *off != '0') info_.unified_memory = false;

  VkPhysicalDeviceFeatures supported{};
  vkGetPhysicalDeviceFeatures(physical_, &supported);
  info_.float64 = supported.shaderFloat64 == VK_TRUE;
  if (const char* off = std::getenv("HEED_VULKAN_NO_FLOAT64"); off && *off && *off != '0') info_.float64 = false;
  VkPhysicalDeviceFeatures enabled{};
  enabled.shaderFloat64 = info_.float64 ? VK_TRUE : VK_FALSE;

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{};
  queue_info.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  queue_info.queueFamilyIndex = info_.queue_family;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{};
  device_info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue_info;
  device_info.pEnabledFeatures = &enabled;
  check(vkCreateDevice(physical_, &device_info, nullptr, &device_), fmt::format("vkCreateDevice on {}", info_.name));
  vkGetDeviceQueue(device_, info_.queue_family, 0, &queue_);
}

Device::~Device() {
  vkDeviceWaitIdle(device_);
  vkDestroyDevice(device_, nullptr);
}

uint32_t Device::memory_type(uint32_t type_bits, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) const {
  int fallback = -1;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    VkMemoryPropertyFlags flags = memory_.memoryTypes[i].propertyFlags;
    if ((flags & required) != required) continue;
    if ((flags & preferred) == preferred) return i;
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  if (fallback < 0) fail("Vulkan: {} has no memory type with flags {:#x} for this buffer", info_.name, required);
  return static_cast<uint32_t>(fallback);
}

void Device::submit(VkCommandBuffer commands, VkFence fence) const {
  VkSubmitInfo submit{};
  submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &commands;
  std::lock_guard lock(queue_mutex_);
  check(vkQueueSubmit(queue_, 1, &submit, fence), "vkQueueSubmit");
}

}  // namespace heed::vulkan
