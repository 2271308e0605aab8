#pragma once
// Where a compiled program's values live: one arena for the intermediates (offsets from the
// plan), and a buffer of its own for every parameter, state, input and constant, except the
// persistent values it shares with a program compiled before (held jointly, so either program
// may outlive the other).
#include <heed/graph.hpp>
#include <heed/backend/plan.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace heed::cpu {

inline constexpr size_t buffer_alignment = 64;  // a cache line and an AVX-512 register

// Zero-initialised bytes aligned for vector loads; never resized after construction.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t bytes);

  std::byte* data() const { return data_.get(); }
  int64_t bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(std::byte* pointer) const;
  };
  std::unique_ptr<std::byte, Free> data_;
  int64_t bytes_ = 0;
};

class ValueBuffers {
 public:
  // Allocates everything the plan needs and fills persistent values and constants; the pairs
  // (node, source's node) in `shared` take the source's buffers and keep their contents.
  ValueBuffers(const Graph& graph, const Plan& plan, const ValueBuffers* source = nullptr,
               std::span<const std::pair<NodeId, NodeId>> shared = {});

  // The bytes of a value the plan keeps (an alias resolves to its root); null for Storage::None.
  std::byte* address(NodeId id) const { return addresses_[static_cast<size_t>(id)]; }
  int64_t bytes(NodeId id) const { return bytes_[static_cast<size_t>(id)]; }

 private:
  AlignedBuffer arena_;
  std::vector<std::shared_ptr<AlignedBuffer>> own_buffers_;  // by NodeId; set for values outside the arena
  std::vector<std::byte*> addresses_;
  std::vector<int64_t> bytes_;
};

}  // namespace heed::cpu
