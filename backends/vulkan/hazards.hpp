#pragma once
// Which dispatches need a barrier between them. A dispatch that reads a range an earlier,
// unsynchronised dispatch wrote (read after write), or writes a range one read or wrote
// (write after read or write), must wait for it; anything else may overlap. Barriers are
// global memory barriers, so after one nothing is pending.
#include "memory_layout.hpp"

#include <span>
#include <vector>

namespace heed::vulkan {

struct Access {
  Pool pool;
  int64_t begin, end;  // bytes
  bool write;
  int32_t group = -1;  // writes of one group (the parts of a concat) are known to be disjoint
};

class HazardTracker {
 public:
  bool conflicts(std::span<const Access> accesses) const;
  void record(std::span<const Access> accesses);
  void clear() { pending_.clear(); }

 private:
  std::vector<Access> pending_;  // since the last barrier
};

}  // namespace heed::vulkan
