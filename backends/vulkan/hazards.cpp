#include "hazards.hpp"

namespace heed::vulkan {

namespace {

bool overlap(const Access& a, const Access& b) { return a.pool == b.pool && a.begin < b.end && b.begin < a.end; }

}  // namespace

bool HazardTracker::conflicts(std::span<const Access> accesses) const {
  for (const Access& next : accesses)
    for (const Access& earlier : pending_) {
      if (!(next.write || earlier.write) || !overlap(next, earlier)) continue;
      bool same_group_writes = next.write && earlier.write && next.group >= 0 && next.group == earlier.group;
      if (!same_group_writes) return true;
    }
  return false;
}

void HazardTracker::record(std::span<const Access> accesses) { pending_.insert(pending_.end(), accesses.begin(), accesses.end()); }

}  // namespace heed::vulkan
