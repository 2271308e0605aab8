#include "buffers.hpp"

#include <heed/error.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace heed::cpu {

AlignedBuffer::AlignedBuffer(int64_t bytes) : bytes_(bytes) {
  // aligned_alloc needs a multiple of the alignment, and a zero-byte value still needs an address.
  auto rounded = static_cast<size_t>(std::max<int64_t>(bytes, 1) + static_cast<int64_t>(buffer_alignment) - 1) /
                 buffer_alignment * buffer_alignment;
  data_.reset(static_cast<std::byte*>(std::aligned_alloc(buffer_alignment, rounded)));
  if (!data_) fail("cpu backend: cannot allocate {} bytes", bytes);
  std::memset(data_.get(), 0, rounded);
}

void AlignedBuffer::Free::operator()(std::byte* pointer) const { std::free(pointer); }

ValueBuffers::ValueBuffers(const Graph& graph, const Plan& plan, const ValueBuffers* source,
                           std::span<const std::pair<NodeId, NodeId>> shared)
    : arena_(plan.arena_bytes),
      own_buffers_(static_cast<size_t>(graph.size())),
      addresses_(static_cast<size_t>(graph.size()), nullptr),
      bytes_(static_cast<size_t>(graph.size()), 0) {
  if (source)
    for (const auto& [id, from] : shared) own_buffers_[static_cast<size_t>(id)] = source->own_buffers_.at(static_cast<size_t>(from));
  for (NodeId id = 0; id < graph.size(); ++id) {
    const ValuePlan& value = plan.values[static_cast<size_t>(id)];
    const Node& node = graph.node(id);
    bytes_[static_cast<size_t>(id)] = value.bytes;
    switch (value.storage) {
      case Storage::None:
      case Storage::Alias: break;
      case Storage::Arena:
        if (value.offset < 0 || value.offset + value.bytes > plan.arena_bytes)
          fail("cpu backend: the plan puts {} at arena offset {} past the arena's {} bytes", describe(Tensor{const_cast<Graph*>(&graph), id}),
               value.offset, plan.arena_bytes);
        addresses_[static_cast<size_t>(id)] = arena_.data() + value.offset;
        break;
      case Storage::Persistent:
      case Storage::Input:
      case Storage::Constant: {
        std::shared_ptr<AlignedBuffer>& held = own_buffers_[static_cast<size_t>(id)];
        if (held) {  // shared: the source's values stand
          if (held->bytes() != value.bytes)
            fail("cpu backend: {} shares a buffer of {} bytes for a value of {} bytes (internal error)",
                 describe(Tensor{const_cast<Graph*>(&graph), id}), held->bytes(), value.bytes);
          addresses_[static_cast<size_t>(id)] = held->data();
          break;
        }
        held = std::make_shared<AlignedBuffer>(value.bytes);
        AlignedBuffer& buffer = *held;
        addresses_[static_cast<size_t>(id)] = buffer.data();
        if (value.storage != Storage::Input && node.value) {
          if (node.value->bytes() != value.bytes)
            fail("cpu backend: {} holds {} bytes of initial values, its shape needs {}", describe(Tensor{const_cast<Graph*>(&graph), id}),
                 node.value->bytes(), value.bytes);
          std::memcpy(buffer.data(), node.value->data(), static_cast<size_t>(value.bytes));
        }
        break;
      }
    }
  }
  // Aliases last: their roots all have addresses by now.
  for (NodeId id = 0; id < graph.size(); ++id)
    if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias)
      addresses_[static_cast<size_t>(id)] = addresses_[static_cast<size_t>(plan.values[static_cast<size_t>(id)].alias_of)];
}

}  // namespace heed::cpu
