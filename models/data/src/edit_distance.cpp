#include <heed/data/edit_distance.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

namespace heed::data {

int64_t edit_distance(std::u32string_view from, std::u32string_view to) {
  std::vector<int64_t> previous(to.size() + 1), current(to.size() + 1);
  std::iota(previous.begin(), previous.end(), 0);
  for (size_t i = 1; i <= from.size(); ++i) {
    current[0] = static_cast<int64_t>(i);
    for (size_t j = 1; j <= to.size(); ++j)
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (from[i - 1] == to[j - 1] ? 0 : 1)});
    std::swap(previous, current);
  }
  return previous[to.size()];
}

}  // namespace heed::data
