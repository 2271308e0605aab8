// Batched matmul with transposes and broadcast batch axes (matmul.comp). Tile sizes are
// specialisation constants chosen from the device's limits and the problem's size; so is the
// epilogue of a fused bias add and activation (heed/backend/kernel_groups.hpp).
#include "fusion.hpp"
#include "lowering.hpp"

#include <heed/backend/op_codes.hpp>
#include <heed/shape.hpp>

#include <algorithm>

namespace heed::vulkan {

namespace {

constexpr size_t max_batch_rank = 4;  // matmul.comp's arrays

struct Tile {
  uint32_t bm, bn, bk, tm, tn;
  uint32_t threads() const { return (bm / tm) * (bn / tn); }
  uint32_t shared_bytes() const { return (bm + bn) * bk * 4; }
};

Tile choose_tile(const DeviceInfo& device, int64_t m, int64_t n) {
  const VkPhysicalDeviceLimits& limits = device.limits;
  auto fits = [&](const Tile& tile) {
    // matmul.comp's shared arrays hold 1024 floats each, whatever the tile (8 KiB in all).
    return tile.threads() <= limits.maxComputeWorkGroupInvocations && tile.threads() <= limits.maxComputeWorkGroupSize[0] &&
           tile.bm * tile.bk <= 1024 && tile.bn * tile.bk <= 1024 && 8192 <= limits.maxComputeSharedMemorySize;
  };
  // Large products: 64x64 tiles of 4x4 blocks (256 invocations, 8 KiB of shared memory). Small
  // ones: 32x32 tiles, so that there are more workgroups than a couple.
  Tile large{64, 64, 16, 4, 4}, small{32, 32, 16, 4, 4}, tiny{16, 16, 16, 2, 2};
  if (m * n >= 256 * 256 && fits(large)) return large;
  if (fits(small)) return small;
  return tiny;
}

// matmul.comp's ACTIVATION: the activation's code (heed/backend/op_codes.hpp), a copy for none.
uint32_t activation_code(std::optional<Op> activation) {
  return activation ? static_cast<uint32_t>(op_info(*activation).code) : HEED_OP_COPY;
}

// Writes `result` (the matmul's own value, or the last node of a fused pattern).
void emit_matmul(Lowering& lowering, const Node& node, NodeId result, const MatmulGroup* epilogue) {
  const Node& a = lowering.input_node(node, 0);
  const Node& b = lowering.input_node(node, 1);
  const Shape& out = node.shape;
  size_t rank = out.size();
  int64_t m = out[rank - 2], n = out[rank - 1];
  int64_t k = node.attrs.transpose_a ? a.shape[a.shape.size() - 2] : a.shape.back();
  if (element_count(out) == 0) return;

  // Batch axes: the output's, with each operand's strides (0 where it is broadcast).
  Shape batch(out.begin(), out.end() - 2);
  Shape a_batch(a.shape.begin(), a.shape.end() - 2), b_batch(b.shape.begin(), b.shape.end() - 2);
  auto batch_strides = [&](const Shape& operand_batch, int64_t matrix) {
    std::vector<int64_t> strides = broadcast_strides(operand_batch, batch);
    for (int64_t& stride : strides) stride *= matrix;
    return strides;
  };
  StridedShape region{batch, {batch_strides(a_batch, a.shape[a.shape.size() - 2] * a.shape.back()),
                              batch_strides(b_batch, b.shape[b.shape.size() - 2] * b.shape.back()), dense_strides(batch)}};
  for (int64_t& stride : region.strides[2]) stride *= m * n;
  region = coalesce(std::move(region));
  if (region.dims.size() > max_batch_rank)
    fail("Vulkan: {} has {} batch axes that cannot be merged; the shader handles {}", describe_node(lowering.graph(), node),
         region.dims.size(), max_batch_rank);
  int64_t batch_count = element_count(batch);

  // op(A)[i][kk] and op(B)[kk][j] as strides of the stored matrices.
  int64_t a_cols = a.shape.back(), b_cols = b.shape.back();
  int64_t a_row = node.attrs.transpose_a ? 1 : a_cols, a_k = node.attrs.transpose_a ? a_cols : 1;
  int64_t b_k = node.attrs.transpose_b ? 1 : b_cols, b_col = node.attrs.transpose_b ? b_cols : 1;

  Tile tile = choose_tile(lowering.device(), m, n);
  // CPU implementations run the variant without shared memory (matmul.comp, MODE 1): a
  // workgroup of 32 owns 8 rows, each invocation 4 columns.
  const bool cpu = lowering.cpu_variants();
  constexpr uint32_t direct_threads = 32, direct_rows = 8, direct_columns = 4;
  Dispatch dispatch;
  dispatch.shader = Shader::Matmul;
  dispatch.specialization = cpu ? std::vector<uint32_t>{direct_threads, tile.bm, tile.bn, tile.bk, direct_rows, direct_columns, 1}
                                : std::vector<uint32_t>{tile.threads(), tile.bm, tile.bn, tile.bk, tile.tm, tile.tn, 0};
  const bool bias = epilogue != nullptr, store_sum = epilogue && epilogue->sum >= 0;
  dispatch.specialization.insert(dispatch.specialization.end(),
                                 {bias ? 1u : 0u, activation_code(epilogue ? epilogue->activation : std::nullopt), store_sum ? 1u : 0u});
  // Unused epilogue bindings: the zero word for the bias, the output again for the sum (the
  // shader never writes through it, but it is declared writable, so it counts as a write).
  Slot output = lowering.value(result);
  dispatch.bindings = {{output, true},
                       {lowering.input(node, 0), false},
                       {lowering.input(node, 1), false},
                       {bias ? lowering.value(epilogue->addend) : lowering.zero_word(), false},
                       {store_sum ? lowering.value(epilogue->sum) : output, true}};
  dispatch.push = PushWords(5)
                      .u32(m)
                      .u32(n)
                      .u32(k)
                      .u32(batch_count)
                      .u32(static_cast<int64_t>(region.dims.size()))
                      .array(region.dims, max_batch_rank)
                      .array(region.strides[0], max_batch_rank)
                      .array(region.strides[1], max_batch_rank)
                      .u32(a_row)
                      .u32(a_k)
                      .u32(b_k)
                      .u32(b_col)
                      .take();
  const VkPhysicalDeviceLimits& limits = lowering.device().limits;
  int64_t groups_x = (n + tile.bn - 1) / tile.bn, groups_y = (m + tile.bm - 1) / tile.bm;
  if (cpu) {  // row blocks along x, column strips along y
    groups_x = (m + direct_rows - 1) / direct_rows;
    groups_y = (n + direct_threads * direct_columns - 1) / (direct_threads * direct_columns);
  }
  if (groups_x > limits.maxComputeWorkGroupCount[0] || groups_y > limits.maxComputeWorkGroupCount[1])
    fail("Vulkan: {} needs {} x {} workgroups, more than the device allows", describe_node(lowering.graph(), node), groups_x, groups_y);
  dispatch.groups = {static_cast<uint32_t>(groups_x), static_cast<uint32_t>(groups_y),
                     static_cast<uint32_t>(std::min<int64_t>(batch_count, std::min(65535u, limits.maxComputeWorkGroupCount[2])))};
  lowering.emit(std::move(dispatch));
}

}  // namespace

void lower_matmul(Lowering& lowering, const Node& node, NodeId id) { emit_matmul(lowering, node, id, nullptr); }

void lower_fused_matmul(Lowering& lowering, const Node& node, const MatmulGroup& group) {
  emit_matmul(lowering, node, group.result, &group);
}

}  // namespace heed::vulkan
