#pragma once
// Where each value of a program lives on the device. Values sit in five pools, one buffer each:
// the arena of intermediates (laid out by the core's plan, Storage::Arena offsets), persistent
// values (parameters and states), inputs, constants, and scratch space some kernels need
// (cross-entropy's per-row losses). Every value outside the arena gets its own aligned range
// of its pool, which is its buffer in all but the VkBuffer: a program makes five allocations
// rather than hundreds, well inside maxMemoryAllocationCount.
#include <heed/backend/plan.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace heed::vulkan {

enum class Pool : uint8_t { Arena, Persistent, Input, Constant, Scratch, Count_ };
inline constexpr size_t pool_count = static_cast<size_t>(Pool::Count_);

struct Slot {
  Pool pool = Pool::Arena;
  int64_t offset = 0;  // bytes from the start of the pool
  int64_t bytes = 0;
};

class MemoryLayout {
 public:
  // alignment: where values outside the arena start (a multiple of 64 and of the device's
  // minStorageBufferOffsetAlignment, so that they can be bound exactly).
  // With a source, every persistent value takes the slot of its pair (node, source's node) in
  // `shared`, and the persistent pool is the source's.
  MemoryLayout(const Graph& graph, const Plan& plan, int64_t alignment, const MemoryLayout* source = nullptr,
               std::span<const std::pair<NodeId, NodeId>> shared = {});
  bool shares_persistent() const { return shares_persistent_; }

  Slot value(NodeId id) const;  // the storage of id (its root's, for an alias)
  Slot zero_word() const { return zero_word_; }  // 16 zero bytes: bound where a shader's optional input is absent
  Slot scratch(int64_t bytes);  // a fresh range of the scratch pool, for one dispatch sequence
  // A range of the constant pool that holds `words` (a fused chain's program) from the start.
  Slot constant_words(std::vector<uint32_t> words);
  const std::vector<std::pair<Slot, std::vector<uint32_t>>>& words() const { return words_; }
  int64_t pool_bytes(Pool pool) const { return sizes_[static_cast<size_t>(pool)]; }
  int64_t alignment() const { return alignment_; }

 private:
  Slot place(Pool pool, int64_t bytes);

  int64_t alignment_;
  std::vector<Slot> slots_;    // indexed by NodeId
  std::vector<char> stored_;  // whether slots_[id] means anything
  std::array<int64_t, pool_count> sizes_{};
  Slot zero_word_;
  bool shares_persistent_ = false;
  std::vector<std::pair<Slot, std::vector<uint32_t>>> words_;
};

}  // namespace heed::vulkan
