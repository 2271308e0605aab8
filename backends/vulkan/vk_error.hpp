#pragma once
// Vulkan results turned into heed::Error: every failing call names what was being done and the
// VkResult by name, so that "vkCreateDevice: VK_ERROR_INITIALIZATION_FAILED" reaches the user
// instead of a bare number.
#include <vulkan/vulkan.h>

#include <string_view>

namespace heed::vulkan {

std::string_view result_name(VkResult result);

// Throws heed::Error "<what>: <VkResult name>" unless result is VK_SUCCESS (or, for calls that
// may report it, VK_INCOMPLETE: callers that care compare first).
void check(VkResult result, std::string_view what);

}  // namespace heed::vulkan
