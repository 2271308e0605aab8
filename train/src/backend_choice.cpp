#include <heed/train/backend_choice.hpp>

#include <heed/error.hpp>

#include <cstdlib>

namespace heed::train {

std::shared_ptr<Backend> open_backend(const std::string& name, int device) {
  if (name != "cpu" && name != "vulkan") fail("--backend {}: unknown backend; the backends are {}", name, backend_names);
  if (device >= 0) {
    if (name == "cpu" && device != 0) fail("--device {}: the cpu backend has one device, 0", device);
    if (name == "vulkan") ::setenv("HEED_VULKAN_DEVICE", std::to_string(device).c_str(), 1);
  }
  return load_backend(name);
}

}  // namespace heed::train
