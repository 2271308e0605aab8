#include <heed/data/epoch_order.hpp>

#include <heed/data/counter_rng.hpp>
#include <heed/error.hpp>

#include <numeric>
#include <utility>

namespace heed::data {

EpochOrder::EpochOrder(uint64_t seed, int64_t count) : seed_(seed), count_(count) {
  if (count <= 0) fail("an epoch needs at least one example; the training set is empty");
}

int64_t EpochOrder::at(uint64_t position) {
  uint64_t epoch = position / static_cast<uint64_t>(count_);
  if (order_.empty() || epoch != epoch_) {
    order_.resize(static_cast<size_t>(count_));
    std::iota(order_.begin(), order_.end(), 0);
    for (size_t i = order_.size() - 1; i > 0; --i)  // Fisher-Yates, one counter-based draw per swap
      std::swap(order_[i], order_[below(counter_random(seed_, epoch, i), i + 1)]);
    epoch_ = epoch;
  }
  return order_[position % static_cast<uint64_t>(count_)];
}

}  // namespace heed::data
