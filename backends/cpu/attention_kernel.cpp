// The fused attention's kernels: a Problem from the node's operands and layout, and the tasks of
// attention.cpp run over the batch and the query or key tiles, on every thread.
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
  // `statistics`: three floats per query row (maximum, 1 / sum, D), shared by a forward kernel
  // with the backward of the same attention; `given`: whether the forward fills the first two.
  AttentionKernel(Problem problem, bool backward, std::shared_ptr<AlignedBuffer> statistics, bool given)
      : problem_(std::move(problem)),
        tasks_(tasks_for(problem_.width, problem_.value_width)),
        backward_(backward),
        threads_(std::max(1, omp_get_max_threads())),
        scratch_floats_(ScratchLayout(problem_.width, problem_.value_width).total),
        scratch_(static_cast<int64_t>(threads_) * scratch_floats_ * 4),
        statistics_(std::move(statistics)) {
    const int64_t rows = problem_.batch * problem_.queries;
    auto* base = reinterpret_cast<float*>(statistics_->data());
    problem_.row_max = base;
    problem_.row_inverse_sum = base + rows;
    problem_.row_delta = base + 2 * rows;
    problem_.statistics_given = given;
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
  std::shared_ptr<AlignedBuffer> statistics_;
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

// The backward's o is the forward's own: its kernel ran earlier in this program with the same
// q, k, v (or qkv), mask, scale and causality, and left each row's maximum and 1 / sum.
std::shared_ptr<AlignedBuffer> statistics_of_forward(const CompileContext& context, const Node& backward, const AttentionLayout& layout) {
  const NodeId output = backward.inputs.at(layout.output_input);
  auto found = context.attention_statistics().find(output);
  if (found == context.attention_statistics().end()) return nullptr;
  const Node& forward = context.graph().node(output);
  const std::vector<NodeId> operands(backward.inputs.begin(), backward.inputs.begin() + static_cast<std::ptrdiff_t>(layout.output_input));
  const NodeId forward_mask = forward.inputs.size() > operands.size() ? forward.inputs[operands.size()] : -1;
  const NodeId backward_mask = layout.mask_input ? backward.inputs[*layout.mask_input] : -1;
  const bool same = forward.op == Op::Attention && std::equal(operands.begin(), operands.end(), forward.inputs.begin()) &&
                    forward_mask == backward_mask && forward.attrs.value == backward.attrs.value &&
                    forward.attrs.causal == backward.attrs.causal && forward.attrs.heads == backward.attrs.heads;
  return same ? found->second : nullptr;
}

}  // namespace

std::unique_ptr<Kernel> make_attention(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0 || p.queries == 0) return nullptr;
  p.out = rows_of<float>(context.address(node.id), layout.output);
  auto statistics = std::make_shared<AlignedBuffer>(3 * p.batch * p.queries * 4);
  context.attention_statistics()[node.id] = statistics;
  return std::make_unique<AttentionKernel>(std::move(p), false, std::move(statistics), false);
}

std::unique_ptr<Kernel> make_attention_backward(const CompileContext& context, NodeRef node) {
  const AttentionLayout layout = attention_layout(context.graph(), node.node);
  Problem p = problem_of(context, node, layout);
  if (p.batch == 0) return nullptr;  // with no queries dk and dv are still written, as zeros
  p.o = rows_of<const float>(context.input_address(node.node, layout.output_input), layout.output);
  p.dout = rows_of<const float>(context.input_address(node.node, layout.doutput_input), layout.output);
  std::byte* out = context.address(node.id);
  p.dq = rows_of<float>(out, layout.dq);
  p.dk = rows_of<float>(out, layout.dk);
  p.dv = rows_of<float>(out, layout.dv);
  if (auto given = statistics_of_forward(context, node.node, layout))
    return std::make_unique<AttentionKernel>(std::move(p), true, std::move(given), true);
  auto statistics = std::make_shared<AlignedBuffer>(3 * p.batch * p.queries * 4);
  return std::make_unique<AttentionKernel>(std::move(p), true, std::move(statistics), false);
}

}  // namespace heed::cpu
