// Fused attention, forward (attention.comp) and backward (attention_backward.comp, two passes).
// The forward writes each row's logsumexp: into the AttentionStatistics value when the core
// grouped the two, else into scratch memory; statistics alone run the forward with o in scratch.
// Head widths become specialisation constants (one pipeline per width pair), the leading axes a
// batch index that the mask reads through broadcast strides, and the block of queries or keys a
// workgroup owns is sized to the sequence so that short ones do not leave most lanes idle.
#include "lowering.hpp"
#include <heed/shape.hpp>

#include <heed/backend/attention_layout.hpp>

#include <algorithm>

namespace heed::vulkan {

namespace {

constexpr size_t max_batch_rank = 4;      // the shaders' arrays
constexpr int64_t max_head_width = 256;   // per-invocation registers: q or k row and accumulators
constexpr uint32_t max_block = 64;

struct Problem {
  AttentionLayout layout;
  int64_t tq, tk, d, dv, batch;
  StridedShape mask_batch;  // the leading axes with the mask's strides, merged
  int64_t mask_row = 0, mask_col = 0;
  bool mask = false, mask_i32 = false;
};

Problem describe_problem(const Lowering& lowering, const Node& node) {
  const AttentionLayout layout = attention_layout(lowering.graph(), node);
  Problem problem{layout, layout.queries, layout.keys, layout.width, layout.value_width, layout.batch, {}, 0, 0, false, false};
  if (problem.d > max_head_width || problem.dv > max_head_width)
    fail("Vulkan: {} has heads wider than {}, which the attention shaders keep in registers", describe_node(lowering.graph(), node),
         max_head_width);
  if (layout.mask_input) {
    const Node& mask = lowering.input_node(node, *layout.mask_input);
    const Shape& scores = layout.scores;
    const size_t rank = scores.size();
    std::vector<int64_t> strides = broadcast_strides(mask.shape, scores);
    problem.mask = true;
    problem.mask_i32 = mask.dtype == i32;
    problem.mask_row = strides[rank - 2];
    problem.mask_col = strides[rank - 1];
    problem.mask_batch = coalesce({Shape(scores.begin(), scores.end() - 2), {std::vector<int64_t>(strides.begin(), strides.end() - 2)}});
    if (problem.mask_batch.dims.size() > max_batch_rank)
      fail("Vulkan: {} broadcasts its mask over {} separate batch axes; the shaders handle {}", describe_node(lowering.graph(), node),
           problem.mask_batch.dims.size(), max_batch_rank);
  }
  return problem;
}

// Rows per workgroup: up to 64, a whole number of subgroups, no more than the sequence needs.
uint32_t block_rows(const Lowering& lowering, int64_t rows) {
  const VkPhysicalDeviceLimits& limits = lowering.device().limits;
  uint32_t unit = std::clamp(lowering.device().subgroup_size, 8u, max_block);
  uint32_t wanted = static_cast<uint32_t>(std::min<int64_t>((rows + unit - 1) / unit * unit, max_block));
  return std::min({wanted, limits.maxComputeWorkGroupInvocations, limits.maxComputeWorkGroupSize[0]});
}

// Rows of the other operand staged per step: 32, fewer where shared memory is short.
uint32_t tile_rows(const Lowering& lowering, const Node& node, int64_t row_floats) {
  uint32_t tile = 32;
  while (tile > 1 && tile * row_floats * 4 > lowering.device().limits.maxComputeSharedMemorySize) tile /= 2;
  if (tile * row_floats * 4 > lowering.device().limits.maxComputeSharedMemorySize)
    fail("Vulkan: {} needs more shared memory than the device has", describe_node(lowering.graph(), node));
  return tile;
}

std::vector<uint32_t> specialization(uint32_t block, uint32_t tile, const Problem& problem, const Node& node, bool direct) {
  return {block, static_cast<uint32_t>(problem.d), static_cast<uint32_t>(problem.dv), tile, problem.mask ? 1u : 0u,
          problem.mask_i32 ? 1u : 0u, node.attrs.causal ? 1u : 0u, direct ? 1u : 0u, static_cast<uint32_t>(problem.layout.heads)};
}

// The push constants after the binding offsets, the same in both shaders.
std::vector<uint32_t> push_words(size_t bindings, const Problem& problem, const Node& node) {
  const StridedShape& batch = problem.mask_batch;
  const std::vector<int64_t> none;
  return PushWords(bindings)
      .u32(problem.tq)
      .u32(problem.tk)
      .u32(problem.batch)
      .u32(static_cast<int64_t>(batch.dims.size()))
      .array(batch.dims, max_batch_rank)
      .array(batch.strides.empty() ? none : batch.strides[0], max_batch_rank)
      .u32(problem.mask_row)
      .u32(problem.mask_col)
      .f32(node.attrs.value)
      .take();
}

std::array<uint32_t, 3> groups(const Lowering& lowering, int64_t rows, uint32_t block, int64_t batch) {
  const VkPhysicalDeviceLimits& limits = lowering.device().limits;
  int64_t blocks = (rows + block - 1) / block;
  if (blocks > limits.maxComputeWorkGroupCount[0]) fail("Vulkan: attention over {} rows needs more workgroups than the device allows", rows);
  return {static_cast<uint32_t>(blocks), static_cast<uint32_t>(std::min<int64_t>(batch, std::min(65535u, limits.maxComputeWorkGroupCount[1]))), 1};
}

// attention.comp writing o to `output` and the statistics to `statistics`.
void emit_forward(Lowering& lowering, const Node& node, const Problem& problem, Slot output, Slot statistics) {
  const bool direct = lowering.cpu_variants();  // rows straight from the storage buffers
  const AttentionLayout& layout = problem.layout;
  const Slot mask = problem.mask ? lowering.input(node, *layout.mask_input) : lowering.zero_word();
  uint32_t block = block_rows(lowering, problem.tq);
  uint32_t tile = direct ? 32 : tile_rows(lowering, node, problem.d + problem.dv);
  Dispatch dispatch;
  dispatch.shader = Shader::Attention;
  dispatch.specialization = specialization(block, tile, problem, node, direct);
  dispatch.bindings = {{output, true},
                       {lowering.input(node, layout.q_input), false},
                       {lowering.input(node, layout.k_input), false},
                       {lowering.input(node, layout.v_input), false},
                       {mask, false},
                       {statistics, true}};
  dispatch.push = push_words(6, problem, node);
  dispatch.groups = groups(lowering, problem.tq, block, problem.batch);
  lowering.emit(std::move(dispatch));
}

}  // namespace

void lower_attention_group(Lowering& lowering, const Node& node, const AttentionGroup& group) {
  if (element_count(node.shape) == 0) return;
  Problem problem = describe_problem(lowering, node);
  emit_forward(lowering, node, problem, lowering.value(group.attention), lowering.value(group.statistics));
}

void lower_attention(Lowering& lowering, const Node& node, NodeId id) {
  if (element_count(node.shape) == 0) return;
  Problem problem = describe_problem(lowering, node);
  if (node.op == Op::Attention) {
    emit_forward(lowering, node, problem, lowering.value(id), lowering.scratch(problem.batch * problem.tq * 4));
    return;
  }
  if (problem.dv == 0)
    fail("Vulkan: {} has values of width 0, which the attention shaders cannot hold", describe_node(lowering.graph(), node));
  if (node.op == Op::AttentionStatistics) {
    emit_forward(lowering, node, problem, lowering.scratch(problem.batch * problem.tq * problem.dv * 4), lowering.value(id));
    return;
  }

  const bool direct = lowering.cpu_variants();
  const AttentionLayout& layout = problem.layout;
  const Slot mask = problem.mask ? lowering.input(node, *layout.mask_input) : lowering.zero_word();
  // AttentionBackward: pass 0 over query blocks writes dq and each row's D beside its logsumexp,
  // pass 1 over key blocks reads them and writes dk and dv.
  Slot stats = lowering.scratch(problem.batch * problem.tq * 3 * 4);
  for (uint32_t pass : {0u, 1u}) {
    const int64_t rows = pass == 0 ? problem.tq : problem.tk;
    uint32_t block = block_rows(lowering, rows);
    uint32_t tile = direct ? 32 : tile_rows(lowering, node, problem.d + problem.dv + (pass == 1 ? 3 : 0));
    Dispatch dispatch;
    dispatch.shader = Shader::AttentionBackward;
    dispatch.specialization = specialization(block, tile, problem, node, direct);
    dispatch.specialization.push_back(pass);
    // Both passes declare the statistics writable: they count as written in both.
    dispatch.bindings = {{lowering.value(id), true},
                         {lowering.input(node, layout.q_input), false},
                         {lowering.input(node, layout.k_input), false},
                         {lowering.input(node, layout.v_input), false},
                         {lowering.input(node, layout.output_input), false},
                         {lowering.input(node, layout.doutput_input), false},
                         {mask, false},
                         {stats, true},
                         {lowering.input(node, layout.statistics_input), false}};
    dispatch.push = push_words(9, problem, node);
    dispatch.groups = groups(lowering, rows, block, problem.batch);
    lowering.emit(std::move(dispatch));
  }
}

}  // namespace heed::vulkan
