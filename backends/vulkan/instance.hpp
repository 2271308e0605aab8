#pragma once
// The Vulkan instance, and the validation messages it collects. When the Khronos validation
// layer is on (VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation, or HEED_VULKAN_VALIDATION=1), a
// debug-utils messenger records every validation error and the backend turns them into a
// heed::Error at the end of the call that caused them, so a test run under the layer fails
// loudly instead of printing a warning nobody reads.
#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace heed::vulkan {

class Instance {
 public:
  Instance();  // throws heed::Error saying why there is no usable Vulkan
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance get() const { return instance_; }
  uint32_t api_version() const { return api_version_; }
  bool validation() const { return validation_; }

  // Throws heed::Error listing the validation errors recorded since the last call, naming
  // `during` (the heed call that caused them).
  void check_validation(std::string_view during) const;

  struct Log {
    std::mutex mutex;
    std::vector<std::string> errors;
  };

 private:
  std::unique_ptr<Log> log_;  // the messenger's callback holds its address
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger_ = nullptr;
  uint32_t api_version_ = VK_API_VERSION_1_1;
  bool validation_ = false;
};

}  // namespace heed::vulkan
