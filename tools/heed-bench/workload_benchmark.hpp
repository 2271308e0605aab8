#pragma once
// `heed-bench train|infer --workload NAME`: a registered model's full training step (forward,
// cross-entropy, backward, AdamW) or its forward pass, timed as shared/bench/torch_peer.py times
// PyTorch, printed as one JSON line with torch_peer.py's keys plus the planned peak memory.
#include <heed/backend.hpp>

#include <cstdint>
#include <string>

namespace heed::bench {

struct WorkloadOptions {
  std::string workload = "all";
  std::string backend;
  std::string mode = "train";  // or "infer" (forward only, batch 1 unless --batch)
  int threads = 0;
  int steps = 20, warmup = 3;
  int64_t batch = 0;  // 0: the benchmark batch of MODELS.md (train) or 1 (infer)
  int64_t context = 0;  // charlm's sequence length and positional table; 0: the model's 128
  Precision precision = Precision::f32;  // CompileOptions::precision
  bool fusion = true;    // CompileOptions::fusion
  bool profile = false;  // time every kernel; the report goes to stderr after the JSON line
};

void run_workload_benchmark(const WorkloadOptions& options);

}  // namespace heed::bench
