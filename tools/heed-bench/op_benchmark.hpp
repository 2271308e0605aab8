#pragma once
// `heed-bench op NAME`: one op at a given size on one backend, as a JSON line.
#include <cstdint>
#include <string>

namespace heed::bench {

struct OpOptions {
  std::string op = "matmul";
  std::string backend;
  int threads = 0;
  int64_t m = 1024, n = 1024, k = 1024, batch = 1;
  int warmup = 3, samples = 15;
};

void run_op_benchmark(const OpOptions& options);

}  // namespace heed::bench
