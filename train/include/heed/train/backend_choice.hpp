#pragma once
// --backend and --device to a loaded backend.
#include <heed/backend.hpp>

#include <memory>
#include <string>

namespace heed::train {

inline constexpr const char* backend_names = "cpu, vulkan";

// device < 0: the backend's own choice. Vulkan takes it through HEED_VULKAN_DEVICE (the backend's
// override, DESIGN.md decision 6); the CPU backend has only device 0.
std::shared_ptr<Backend> open_backend(const std::string& name, int device);

}  // namespace heed::train
