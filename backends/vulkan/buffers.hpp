#pragma once
// A VkBuffer with memory of its own. Programs make few of them (one per pool of values, see
// memory_layout.hpp), so each gets its own allocation.
#include "device.hpp"
#include "handle.hpp"

#include <cstdint>

namespace heed::vulkan {

enum class MemoryUse : uint8_t {
  Device,    // device-local; mapped too where the device's memory is unified
  Upload,    // host-visible staging the host writes and the device reads
  Readback,  // host-visible staging the device writes and the host reads (cached where offered)
};

class Buffer {
 public:
  Buffer() = default;
  Buffer(const Device& device, int64_t bytes, MemoryUse use, std::string_view what);

  VkBuffer get() const { return buffer_.get(); }
  int64_t size() const { return size_; }
  std::byte* mapped() const { return mapped_; }  // null when the memory is not host-visible

 private:
  MemoryHandle memory_;
  BufferHandle buffer_;  // declared after memory_, so destroyed before it
  int64_t size_ = 0;
  std::byte* mapped_ = nullptr;  // unmapped by vkFreeMemory
};

}  // namespace heed::vulkan
