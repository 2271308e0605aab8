#pragma once
// Shuffled epochs as a pure function of (seed, position): sample k of a training stream is item
// order_e[k mod N] of epoch e = k / N, where order_e is a permutation drawn from (seed, e) alone.
// A batch may straddle two epochs, and a resumed run rebuilds exactly the order it stopped in.
#include <cstdint>
#include <vector>

namespace heed::data {

class EpochOrder {
 public:
  EpochOrder(uint64_t seed, int64_t count);
  // The item at stream position `position`; count must be positive.
  int64_t at(uint64_t position);
  int64_t count() const { return count_; }

 private:
  uint64_t seed_;
  int64_t count_;
  std::vector<int64_t> order_;
  uint64_t epoch_ = 0;
};

}  // namespace heed::data
