#include "timing.hpp"

#include <algorithm>
#include <chrono>

namespace heed::bench {

namespace {
double seconds(std::chrono::steady_clock::duration elapsed) { return std::chrono::duration<double>(elapsed).count(); }
}  // namespace

Timing time_steps(const std::function<void()>& step, int warmup, int samples, double sample_seconds) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < std::max(1, warmup); ++i) step();
  auto start = clock::now();
  step();
  double once = std::max(1e-7, seconds(clock::now() - start));
  int calls = std::max(1, static_cast<int>(sample_seconds / once));
  std::vector<double> per_step;
  for (int s = 0; s < std::max(1, samples); ++s) {
    auto begin = clock::now();
    for (int c = 0; c < calls; ++c) step();
    per_step.push_back(seconds(clock::now() - begin) / calls);
  }
  std::sort(per_step.begin(), per_step.end());
  return {per_step[per_step.size() / 2], per_step.front(), static_cast<int>(per_step.size())};
}

}  // namespace heed::bench
