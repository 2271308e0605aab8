#pragma once
// What lowering a node produces: one or more dispatches, each a shader with its specialisation
// constants, its storage buffers (ranges of the program's pools) and its push constants. The
// executable turns them into pipelines, descriptor sets and recorded commands.
#include "../memory_layout.hpp"
#include "../shaders.hpp"

#include <heed/error.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace heed::vulkan {

struct Binding {
  Slot slot;
  bool written = false;
};

struct Dispatch {
  Shader shader = Shader::Fill;
  std::vector<uint32_t> specialization;  // [i] is constant_id i; [0] the workgroup size
  std::vector<Binding> bindings;         // binding i of set 0
  // Push constants in 32-bit words. Every shader's block starts with one word per binding: the
  // element offset of the bound value from the start of its descriptor's range, filled in by
  // the executable (storage-buffer descriptors can only start at aligned offsets).
  std::vector<uint32_t> push;
  std::array<uint32_t, 3> groups{1, 1, 1};
  int32_t write_group = -1;  // dispatches of one node that write disjoint parts of its output
};

// A point where the recorded work stops for the host: an AllReduce. The executable ends a command
// buffer before dispatch `position` with a copy of `input` to host memory, has the communicator
// reduce it there, and starts the next command buffer by copying the result to `output`.
struct HostCollective {
  size_t position;
  Slot input;
  Slot output;
};

// Builds a dispatch's push constants: the binding offsets first (zero until the executable
// fills them), then the shader's own fields in the order of its block.
class PushWords {
 public:
  explicit PushWords(size_t bindings) : words_(bindings, 0u) {}
  PushWords& u32(int64_t value);  // throws when it does not fit 32 bits
  PushWords& i32(int64_t value);
  PushWords& f32(double value);
  PushWords& bits(uint32_t value);
  // Exactly `length` words: the values, then zeros.
  PushWords& array(std::span<const int64_t> values, size_t length);
  std::vector<uint32_t> take() { return std::move(words_); }

 private:
  std::vector<uint32_t> words_;
};

}  // namespace heed::vulkan
