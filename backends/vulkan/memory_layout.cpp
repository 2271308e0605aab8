#include "memory_layout.hpp"

#include <heed/error.hpp>

namespace heed::vulkan {

MemoryLayout::MemoryLayout(const Graph& graph, const Plan& plan, int64_t alignment, const MemoryLayout* source,
                           std::span<const std::pair<NodeId, NodeId>> shared)
    : alignment_(alignment), slots_(static_cast<size_t>(graph.size())), stored_(static_cast<size_t>(graph.size()), 0) {
  sizes_[static_cast<size_t>(Pool::Arena)] = plan.arena_bytes;
  zero_word_ = place(Pool::Constant, 16);
  std::vector<char> taken(static_cast<size_t>(graph.size()), 0);
  if (source) {
    shares_persistent_ = true;
    sizes_[static_cast<size_t>(Pool::Persistent)] = source->pool_bytes(Pool::Persistent);
    for (const auto& [id, from] : shared) {
      Slot slot = source->value(from);
      if (slot.pool != Pool::Persistent || slot.bytes != plan.values[static_cast<size_t>(id)].bytes)
        fail("Vulkan: a shared persistent value of {} bytes has a slot of {} bytes in pool {} (internal error)",
             plan.values[static_cast<size_t>(id)].bytes, slot.bytes, static_cast<int>(slot.pool));
      slots_[static_cast<size_t>(id)] = slot;
      stored_[static_cast<size_t>(id)] = 1;
      taken[static_cast<size_t>(id)] = 1;
    }
  }
  for (NodeId id = 0; id < graph.size(); ++id) {
    const ValuePlan& value = plan.values[static_cast<size_t>(id)];
    Slot& slot = slots_[static_cast<size_t>(id)];
    switch (value.storage) {
      case Storage::Arena: slot = Slot{Pool::Arena, value.offset, value.bytes}; break;
      case Storage::Persistent:
        if (taken[static_cast<size_t>(id)]) continue;
        if (shares_persistent_) fail("Vulkan: persistent value {} is not among the shared ones (internal error)", id);
        slot = place(Pool::Persistent, value.bytes);
        break;
      case Storage::Input: slot = place(Pool::Input, value.bytes); break;
      case Storage::Constant: slot = place(Pool::Constant, value.bytes); break;
      case Storage::None:
      case Storage::Alias: continue;
    }
    stored_[static_cast<size_t>(id)] = 1;
  }
  // Aliases last: their roots come first in the graph, but a reshape's bytes are its own.
  for (NodeId id = 0; id < graph.size(); ++id) {
    const ValuePlan& value = plan.values[static_cast<size_t>(id)];
    if (value.storage != Storage::Alias) continue;
    slots_[static_cast<size_t>(id)] = slots_[static_cast<size_t>(value.alias_of)];
    slots_[static_cast<size_t>(id)].bytes = value.bytes;
    stored_[static_cast<size_t>(id)] = 1;
  }
}

Slot MemoryLayout::place(Pool pool, int64_t bytes) {
  int64_t& size = sizes_[static_cast<size_t>(pool)];
  Slot slot{pool, size, bytes};
  size += (std::max<int64_t>(bytes, 4) + alignment_ - 1) / alignment_ * alignment_;
  return slot;
}

Slot MemoryLayout::value(NodeId id) const {
  if (id < 0 || static_cast<size_t>(id) >= slots_.size() || !stored_[static_cast<size_t>(id)])
    fail("Vulkan: value {} has no storage in the plan (internal error)", id);
  return slots_[static_cast<size_t>(id)];
}

Slot MemoryLayout::scratch(int64_t bytes) { return place(Pool::Scratch, bytes); }

Slot MemoryLayout::constant_words(std::vector<uint32_t> words) {
  Slot slot = place(Pool::Constant, static_cast<int64_t>(words.size()) * 4);
  words_.emplace_back(slot, std::move(words));
  return slot;
}

}  // namespace heed::vulkan
