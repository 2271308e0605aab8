// The fused attention's kernels: a Problem from the node's operands and layout, and the tasks of
// attention.cpp run over the batch and the query or key tiles, on every thread. The forward
// writes the rows' statistics when grouped with them; alone, the statistics run the forward into
// memory of their own.
#include "attention_problem.hpp"
#include "kernel.hpp"
#include "parallel.hpp"

#include <memory>

namespace heed::cpu {

namespace {

using namespace attention;

// From this many batch elements on, each gets its own task (forward_batch_task,
// backward_batch_task), which transposes each key tile once and, backward, computes each tile's
// scores and dp once:
// enough of them to keep the threads of a CPU busy. The choice depends on the shape only, never
// on the thread count.
constexpr int64_t batch_tasks = 32;

// Below this many multiply-adds a parallel region costs more than it saves.
constexpr int64_t parallel_work = int64_t{1} << 20;

class AttentionKernel final : public Kernel {
 public:
  // `output_floats`: memory of its own for o, when the forward runs only for its statistics.
  AttentionKernel(Problem problem, bool backward, int64_t output_floats = 0)
      : problem_(std::move(problem)),
        tasks_(tasks_for(problem_.width, problem_.value_width)),
        backward_(backward),
        threads_(std::max(1, omp_get_max_threads())),
        scratch_floats_(ScratchLayout(problem_.width, problem_.value_width).total),
        scratch_(static_cast<int64_t>(threads_) * scratch_floats_ * 4),
        rows_(2 * problem_.batch * problem_.queries * 4),
        output_(output_floats * 4) {
    const int64_t rows = problem_.batch * problem_.queries;
    auto* base = reinterpret_cast<float*>(rows_.data());
    if (backward_) {
      problem_.row_delta = base;
    } else {
      problem_.row_max = base;
      problem_.row_sum = base + rows;
    }
    if (output_floats > 0) problem_.out.data = reinterpret_cast<float*>(output_.data());
  }

  void run() override {
    const Problem& p = problem_;
    const bool parallel = p.batch * p.queries * p.keys * (p.width + p.value_width) >= parallel_work;
    if (!backward_) {
      if (p.batch >= batch_tasks) for_each_task(p.batch, parallel, tasks_.forward_batch);
      else for_each_task(p.batch * p.query_tiles(), parallel, tasks_.forward);
      return;
    }
    if (p.batch >= batch_tasks) {
      for_each_task(p.batch, parallel, tasks_.backward_batch);
      return;
    }
    for_each_task(p.batch * p.query_tiles(), parallel, tasks_.backward_queries);
    for_each_task(p.batch * p.key_tiles(), parallel, tasks_.backward_keys);
  }

 private:
  // Tasks are independent and each writes its own outputs, so handing them out dynamically (the
  // causal ones differ in size) changes nothing in the results.
  void for_each_task(int64_t count, bool parallel, Task task) const {
    auto* scratch = reinterpret_cast<float*>(scratch_.data());
    const int threads = parallel ? static_cast<int>(std::min<int64_t>({threads_, omp_get_max_threads(), count})) : 1;
    if (threads <= 1) {
      for (int64_t t = 0; t < count; ++t) task(problem_, t, scratch);
      return;
    }
#pragma omp parallel num_threads(threads)
    {
      float* mine = scratch + omp_get_thread_num() * scratch_floats_;
#pragma omp for schedule(dynamic, 1)
      for (int64_t t = 0; t < count; ++t) task(problem_, t, mine);
    }
  }

  Problem problem_;
  Tasks tasks_;
  bool backward_;
  int threads_;  // scratch slots: the program's thread count, set while it compiles
  int64_t scratch_floats_;
  AlignedBuffer scratch_;
  AlignedBuffer rows_;    // per row: the forward's running maximum and sum, or the backward's D
  AlignedBuffer output_;  // o, when this forward runs only for the statistics
};

Mask mask_of(const CompileContext& context, const Node& node, const AttentionLayout& layout) {
  Mask mask;
  if (!layout.mask_input) return mask;
  const Node& input = context.input(node, *layout.mask_input);
  const std::byte* data = context.input_address(node, *layout.mask_input);
  if (input.dtype == f32) mask.f32 = reinterpret_cast<const float*>(data);
  else mask.i32 = reinterpret_cast<const int32_t*>(data);
  const Shape& scores = layout.scores;
  std::vector<int64_t> strides = broadcast_strides(input.shape, scores);
  const size_t rank = scores.size();
  mask.row_stride = strides[rank - 2];
  mask.column_stride = strides[rank - 1];
  mask.batch_offsets = row_offsets(Shape(scores.begin(), scores.end() - 2), strides);
  return mask;
}

template <class Float>
Rows<Float> rows_of(std::byte* data, const AttentionRows& layout) {
  return {reinterpret_cast<Float*>(data), layout};
}

Problem problem_of(const CompileContext& context, NodeRef node, const AttentionLayout& layout) {
  const Node& n = node.node;
  Problem p;
  p.q = rows_of<const float>(context.input_address(n, layout.q_input), layout.q);
  p.k = rows_of<const float>(context.input_address(n, layout.k_input), layout.k);
  p.v = rows_of<const float>(context.input_address(n, layout.v_input), layout.v);
  p.mask = mask_of(context, n, layout);
  p.batch = layout.batch;
  p.queries = layout.queries;
  p.keys = layout.keys;
  p.width = layout.width;
  p.value_width = layout.value_width;
  p.offset = p.keys - p.queries;
  p.scale = static_cast<float>(n.attrs.value);
  p.causal = n.attrs.causal;
  return p;
}

}  // namespace

std::unique_ptr<Kernel> make_attention(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0 || p.queries == 0) return nullptr;
  p.out = rows_of<float>(context.address(node.id), layout.output);
  return std::make_unique<AttentionKernel>(std::move(p), false);
}

std::unique_ptr<Kernel> make_attention_group(const CompileContext& context, const AttentionGroup& group) {
  const Node& node = context.graph().node(group.attention);
  const AttentionLayout layout = attention_layout(context.graph(), node);
  Problem p = problem_of(context, {group.attention, node}, layout);
  if (p.batch == 0 || p.queries == 0) return nullptr;
  p.out = rows_of<float>(context.address(group.attention), layout.output);
  p.row_logsumexp = reinterpret_cast<float*>(context.address(group.statistics));
  return std::make_unique<AttentionKernel>(std::move(p), false);
}

std::unique_ptr<Kernel> make_attention_statistics(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0 || p.queries == 0) return nullptr;
  // o in memory of its own, rows one after the other.
  p.out = {nullptr, AttentionRows{0, 1, p.queries * p.value_width, 0, p.value_width}};
  p.row_logsumexp = reinterpret_cast<float*>(context.address(node.id));
  return std::make_unique<AttentionKernel>(std::move(p), false, std::max<int64_t>(p.batch * p.queries * p.value_width, 1));
}

std::unique_ptr<Kernel> make_attention_backward(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0) return nullptr;  // with no queries dk and dv are still written, as zeros
  p.o = rows_of<const float>(context.input_address(node.node, layout.output_input), layout.output);
  p.dout = rows_of<const float>(context.input_address(node.node, layout.doutput_input), layout.output);
  p.row_logsumexp = reinterpret_cast<float*>(context.input_address(node.node, layout.statistics_input));
  std::byte* out = context.address(node.id);
  p.dq = rows_of<float>(out, layout.dq);
  p.dk = rows_of<float>(out, layout.dk);
  p.dv = rows_of<float>(out, layout.dv);
  return std::make_unique<AttentionKernel>(std::move(p), true);
}

}  // namespace heed::cpu
