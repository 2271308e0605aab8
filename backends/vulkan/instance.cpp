#include "instance.hpp"

#include "vk_error.hpp"

#include <heed/error.hpp>

#include <cstdlib>
#include <cstring>

namespace heed::vulkan {

namespace {

constexpr const char* validation_layer = "VK_LAYER_KHRONOS_validation";

bool environment_says(const char* name, std::string_view needle) {
  const char* value = std::getenv(name);
  return value && std::string_view(value).find(needle) != std::string_view::npos;
}

bool has_layer(const char* name) {
  uint32_t count = 0;
  if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkLayerProperties> layers(count);
  if (vkEnumerateInstanceLayerProperties(&count, layers.data()) != VK_SUCCESS) return false;
  for (const VkLayerProperties& layer : layers)
    if (std::strcmp(layer.layerName, name) == 0) return true;
  return false;
}

bool has_extension(const char* layer, const char* name) {
  uint32_t count = 0;
  if (vkEnumerateInstanceExtensionProperties(layer, &count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkExtensionProperties> extensions(count);
  if (vkEnumerateInstanceExtensionProperties(layer, &count, extensions.data()) != VK_SUCCESS) return false;
  for (const VkExtensionProperties& extension : extensions)
    if (std::strcmp(extension.extensionName, name) == 0) return true;
  return false;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT type,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  // Only the validation layer's errors fail a call: the loader's and driver's general
  // messages (a missing ICD for hardware that is not there) are not the program's fault.
  if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) && (type & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)) {
    auto* log = static_cast<Instance::Log*>(user);
    std::lock_guard lock(log->mutex);
    log->errors.emplace_back(data && data->pMessage ? data->pMessage : "(no message)");
  }
  return VK_FALSE;
}

}  // namespace

Instance::Instance() : log_(std::make_unique<Log>()) {
  uint32_t loader_version = VK_API_VERSION_1_0;
  if (vkEnumerateInstanceVersion(&loader_version) != VK_SUCCESS) loader_version = VK_API_VERSION_1_0;
  if (loader_version < VK_API_VERSION_1_1)
    fail("the Vulkan loader supports only Vulkan {}.{}; heed's shaders need 1.1", VK_API_VERSION_MAJOR(loader_version),
         VK_API_VERSION_MINOR(loader_version));
  // 1.2 when the loader has it, for the driver name (VkPhysicalDeviceDriverProperties).
  api_version_ = loader_version >= VK_API_VERSION_1_2 ? VK_API_VERSION_1_2 : VK_API_VERSION_1_1;

  std::vector<const char*> layers, extensions;
  bool asked = environment_says("HEED_VULKAN_VALIDATION", "1") || environment_says("VK_INSTANCE_LAYERS", "validation") ||
               environment_says("VK_LOADER_LAYERS_ENABLE", "validation");
  if (asked) {
    if (!has_layer(validation_layer))
      fail("Vulkan validation was asked for but {} is not installed (apt-get install vulkan-validationlayers)", validation_layer);
    layers.push_back(validation_layer);
    validation_ = true;
  }
  bool debug_utils = has_extension(nullptr, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) ||
                     (validation_ && has_extension(validation_layer, VK_EXT_DEBUG_UTILS_EXTENSION_NAME));
  if (validation_ && !debug_utils)
    fail("Vulkan validation was asked for but {} is missing, so errors could not be caught", VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  if (validation_) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

  VkApplicationInfo application{};
  application.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  application.pApplicationName = "heed";
  application.pEngineName = "heed";
  application.apiVersion = api_version_;

  VkDebugUtilsMessengerCreateInfoEXT messenger_info{};
  messenger_info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
  messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger_info.pfnUserCallback = on_message;
  messenger_info.pUserData = log_.get();

  VkInstanceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  info.pNext = validation_ ? &messenger_info : nullptr;  // also catches errors in vkCreateInstance itself
  info.pApplicationInfo = &application;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VkResult result = vkCreateInstance(&info, nullptr, &instance_);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
    fail("no Vulkan driver found (vkCreateInstance: VK_ERROR_INCOMPATIBLE_DRIVER); for a CPU implementation, apt-get install "
         "mesa-vulkan-drivers");
  check(result, "vkCreateInstance");

  if (validation_) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    destroy_messenger_ =
        reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (!create || !destroy_messenger_) {
      vkDestroyInstance(instance_, nullptr);
      fail("Vulkan validation: vkCreateDebugUtilsMessengerEXT is missing, so errors could not be caught");
    }
    if (VkResult made = create(instance_, &messenger_info, nullptr, &messenger_); made != VK_SUCCESS) {
      vkDestroyInstance(instance_, nullptr);
      check(made, "vkCreateDebugUtilsMessengerEXT");
    }
  }
}

Instance::~Instance() {
  if (messenger_) destroy_messenger_(instance_, messenger_, nullptr);
  vkDestroyInstance(instance_, nullptr);
}

void Instance::check_validation(std::string_view during) const {
  std::vector<std::string> errors;
  {
    std::lock_guard lock(log_->mutex);
    errors.swap(log_->errors);
  }
  if (!errors.empty())
    fail("Vulkan validation layer reported {} error(s) during {}:\n  {}", errors.size(), during, fmt::join(errors, "\n  "));
}

}  // namespace heed::vulkan
