#pragma once
// What the test machine's CPU can do, read from /proc/cpuinfo independently of oneDNN, so that a
// test knows whether the CPU backend must run a bf16 product or must refuse it.
#include <string>

namespace heed::test {

// AVX-512 BF16 or AMX BF16: the instructions oneDNN's bf16 products need.
bool cpu_has_bf16_products();

// What the CPU backend says when it refuses a bf16 product on a CPU without them.
inline const std::string no_bf16_products = "neither AMX nor AVX-512 BF16";

}  // namespace heed::test
