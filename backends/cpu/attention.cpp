// Fused attention and its backward op (docs/ops.md), FlashAttention-2 style: the [Tq, Tk] scores
// are never held, only one tile of them per thread, so memory stays linear in the sequence.
//
// Forward: per (batch, tile of queries), walk the key tiles with an online softmax (running row
// maximum and sum, the output rescaled as the maximum grows). Causal tiles past the diagonal are
// skipped. Grouped with the attention's statistics (heed/backend/kernel_groups.hpp), the forward
// also writes each row's logsumexp L_i, which the backward reads as an input: p_ij = exp(s_ij - L_i).
// Backward: one pass per (batch, query tile) computes D_i = do_i . o_i and accumulates dq; a
// second pass per (batch, key tile) accumulates dk and dv. With many batch elements (heads x
// batch) each element is one task instead, which does the same per-row work in the same order
// with less recomputation. Each output element is summed by one task in a fixed order, so the
// results do not depend on the thread count and need no atomics.
//
// Masked scores are masked_logit (-1e30) as in the composite. A row whose visible scores are all
// masked is uniform over all Tk keys there (exp(0) everywhere), the keys past the causal
// diagonal included, which the skipped tiles cannot see: such rows are found by their maximum,
// or by their logsumexp (masked_logit) in the backward, and handled apart (o = the mean of v;
// dv_j += do_i / Tk; no gradient to q or k).
//
// The library is built for any x86-64, so the tasks (attention_tasks.inc) and their inner loops
// (attention_lanes.inc) are compiled three times here, each in a namespace of its own with the
// vectors one register wide: AVX-512 (16 floats), AVX2 + FMA (8) and SSE2 (4); tasks_for picks
// the widest the CPU has. A vector wider than the registers would live in memory. Sums across a
// vector's lanes follow its width, so the last bits of a result may differ between CPUs, never
// between runs or thread counts on one. The common head widths are template constants, so the
// loops over a row of v, k, q or do also stay in registers.
#include "attention_problem.hpp"

#include <heed/ops.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

namespace heed::cpu::attention {

namespace {

using namespace attention_tiles;

// Under AddressSanitizer only the SSE2 tasks are compiled: three instrumented copies made a
// sanitized build minutes longer, and they make the same memory accesses.
#if !defined(__SANITIZE_ADDRESS__)
namespace avx512 {
#define HEED_LANE_COUNT 16
#define HEED_TASK_TARGET __attribute__((target("arch=x86-64-v4")))
#include "attention_lanes.inc"
#include "attention_tasks.inc"
#undef HEED_TASK_TARGET
#undef HEED_LANE_COUNT
}  // namespace avx512

namespace avx2 {
#define HEED_LANE_COUNT 8
#define HEED_TASK_TARGET __attribute__((target("arch=x86-64-v3")))
#include "attention_lanes.inc"
#include "attention_tasks.inc"
#undef HEED_TASK_TARGET
#undef HEED_LANE_COUNT
}  // namespace avx2
#endif

namespace sse2 {
#define HEED_LANE_COUNT 4
#define HEED_TASK_TARGET
#include "attention_lanes.inc"
#include "attention_tasks.inc"
#undef HEED_TASK_TARGET
#undef HEED_LANE_COUNT
}  // namespace sse2

// The tasks of the widest instruction set this CPU has.
template <int64_t W, int64_t V>
Tasks widest_tasks() {
#if !defined(__SANITIZE_ADDRESS__)
  if (__builtin_cpu_supports("x86-64-v4")) return avx512::tasks_for<W, V>();
  if (__builtin_cpu_supports("x86-64-v3")) return avx2::tasks_for<W, V>();
#endif
  return sse2::tasks_for<W, V>();
}

}  // namespace

// The head widths of the models (charlm 32, vit 16) and other common ones get their own
// instances; any other width runs the general one.
Tasks tasks_for(int64_t width, int64_t value_width) {
  if (width == value_width) {
    if (width == 16) return widest_tasks<16, 16>();
    if (width == 32) return widest_tasks<32, 32>();
    if (width == 64) return widest_tasks<64, 64>();
  }
  return widest_tasks<0, 0>();
}

}  // namespace heed::cpu::attention
