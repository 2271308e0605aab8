#pragma once
// The loops our own kernels share: contiguous ranges split over OpenMP threads (oneDNN's
// runtime, so both use one thread pool), and a strided walk over a dense output whose inputs
// are read through per-axis strides (0 on broadcast axes), for broadcasting, permutes and slices.
#include <heed/error.hpp>
#include <heed/shape.hpp>

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace heed::cpu {

// Calls body(begin, end) on one contiguous piece of [0, count) per thread, with fewer threads
// when a piece would hold less than `grain` items: a parallel region costs microseconds.
template <typename Body>
void parallel_ranges(int64_t count, int64_t grain, const Body& body) {
  if (count <= 0) return;
  int64_t threads = std::min<int64_t>(omp_get_max_threads(), std::max<int64_t>(1, count / std::max<int64_t>(grain, 1)));
  if (threads <= 1) {
    body(int64_t{0}, count);
    return;
  }
#pragma omp parallel num_threads(static_cast<int>(threads))
  {
    int64_t thread = omp_get_thread_num(), team = omp_get_num_threads();
    int64_t begin = count * thread / team, end = count * (thread + 1) / team;
    if (begin < end) body(begin, end);
  }
}

// Elements per thread below which splitting does not pay, for cheap elementwise work.
inline constexpr int64_t elementwise_grain = 16384;

// Outputs smaller than this run on the calling thread alone, oneDNN's primitives included: a
// parallel region costs microseconds, and on a busy machine a sleeping worker can take a whole
// scheduler slice to wake, which a graph of thousands of small ops (an LSTM) pays each time.
inline constexpr int64_t parallel_threshold = 2 * elementwise_grain;

// OpenMP's thread count is per calling thread: this sets it for a scope and gives the caller's
// back, so programs with different counts, and kernels that run alone, can share a thread.
class ThreadCount {
 public:
  explicit ThreadCount(int threads) : previous_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ThreadCount() { omp_set_num_threads(previous_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int previous_;
};

inline constexpr int max_loop_rank = 16;

// The offset of each index over `axes`, flattened in row-major order, read through `strides`
// (one per axis, as broadcast_strides gives them): the start of each row of a broadcast mask.
std::vector<int64_t> row_offsets(const Shape& axes, const std::vector<int64_t>& strides);

// A walk over a dense output in row-major order, reading N inputs through strides. Axes of size
// 1 are dropped and neighbouring axes that every operand walks contiguously are merged, so most
// walks end up with one or two axes and long inner runs.
template <size_t N>
struct StridedLoop {
  int rank = 1;
  int64_t count = 0;
  std::array<int64_t, max_loop_rank> dims{};
  std::array<std::array<int64_t, max_loop_rank>, N> strides{};
};

template <size_t N>
StridedLoop<N> make_strided_loop(const Shape& output, const std::array<std::vector<int64_t>, N>& strides, std::string_view what) {
  StridedShape walk{output, std::vector<std::vector<int64_t>>(strides.begin(), strides.end())};
  StridedShape merged_walk = coalesce(std::move(walk));
  std::vector<int64_t>& dims = merged_walk.dims;
  std::vector<std::vector<int64_t>>& merged = merged_walk.strides;
  if (dims.empty()) {
    dims.push_back(1);
    for (size_t k = 0; k < N; ++k) merged[k].push_back(0);
  }
  if (dims.size() > static_cast<size_t>(max_loop_rank))
    fail("{}: the cpu backend walks at most {} axes that cannot be merged, {} has {}", what, max_loop_rank, shape_string(output), dims.size());
  StridedLoop<N> loop;
  loop.rank = static_cast<int>(dims.size());
  loop.count = element_count(output);
  for (size_t axis = 0; axis < dims.size(); ++axis) {
    loop.dims[axis] = dims[axis];
    for (size_t k = 0; k < N; ++k) loop.strides[k][axis] = merged[k][axis];
  }
  return loop;
}

// Calls body(position, offsets, inner_strides, length) for each run of `length` consecutive
// output elements starting at `position` along the innermost axis, where input k's elements are
// at offsets[k] + j * inner_strides[k] for j < length. Runs are split over threads.
template <size_t N, typename Body>
void run_strided_loop(const StridedLoop<N>& loop, int64_t grain, const Body& body) {
  const int last = loop.rank - 1;
  std::array<int64_t, N> inner{};
  for (size_t k = 0; k < N; ++k) inner[k] = loop.strides[k][static_cast<size_t>(last)];
  parallel_ranges(loop.count, grain, [&](int64_t begin, int64_t end) {
    std::array<int64_t, max_loop_rank> index{};
    std::array<int64_t, N> offsets{};
    int64_t rest = begin;
    for (int axis = last; axis >= 0; --axis) {
      auto a = static_cast<size_t>(axis);
      index[a] = rest % loop.dims[a];
      rest /= loop.dims[a];
      for (size_t k = 0; k < N; ++k) offsets[k] += index[a] * loop.strides[k][a];
    }
    for (int64_t position = begin; position < end;) {
      auto l = static_cast<size_t>(last);
      int64_t length = std::min(loop.dims[l] - index[l], end - position);
      body(position, offsets, inner, length);
      position += length;
      index[l] += length;
      for (size_t k = 0; k < N; ++k) offsets[k] += length * inner[k];
      for (size_t a = l; a > 0 && index[a] == loop.dims[a]; --a) {
        index[a] = 0;
        ++index[a - 1];
        for (size_t k = 0; k < N; ++k) offsets[k] += loop.strides[k][a - 1] - loop.dims[a] * loop.strides[k][a];
      }
    }
  });
}

}  // namespace heed::cpu
