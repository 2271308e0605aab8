#pragma once
// Where a compiled program's values live: one arena for the intermediates (offsets from the
// plan), and a buffer of its own for every parameter, state, input and constant.
#include <heed/graph.hpp>
#include <heed/backend/plan.hpp>

#include <cstddef>
#include <memory>
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
  // Allocates everything the plan needs and fills persistent values and constants.
  ValueBuffers(const Graph& graph, const Plan& plan);

  // The bytes of a value the plan keeps (an alias resolves to its root); null for Storage::None.
  std::byte* address(NodeId id) const { return addresses_[static_cast<size_t>(id)]; }
  int64_t bytes(NodeId id) const { return bytes_[static_cast<size_t>(id)]; }

 private:
  AlignedBuffer arena_;
  std::vector<AlignedBuffer> owned_;
  std::vector<std::byte*> addresses_;
  std::vector<int64_t> bytes_;
};

}  // namespace heed::cpu
