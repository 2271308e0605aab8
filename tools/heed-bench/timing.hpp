#pragma once
// Repeated timing with a median, the way shared/bench/torch_peer.py and gemm_peak.cpp time.
#include <functional>
#include <vector>

namespace heed::bench {

struct Timing {
  double median_seconds = 0;
  double min_seconds = 0;
  int samples = 0;
};

// Runs `step` `warmup` times, then times `samples` runs of `calls` steps each (calls chosen so a
// sample lasts about `sample_seconds`, at least one step); returns per-step seconds.
Timing time_steps(const std::function<void()>& step, int warmup, int samples, double sample_seconds = 0.02);

}  // namespace heed::bench
