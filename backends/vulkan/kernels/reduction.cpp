// Sum, Max and Argmax (reduce.comp). The input's axes split into kept ones (the output's, in
// order) and reduced ones, each merged where contiguous.
#include "lowering.hpp"
#include <heed/shape.hpp>

#include <algorithm>

namespace heed::vulkan {

namespace {

constexpr size_t max_rank = 6;  // reduce.comp's arrays

}  // namespace

void lower_reduction(Lowering& lowering, const Node& node, NodeId id) {
  const Node& x = lowering.input_node(node, 0);
  std::vector<int64_t> axes = node.op == Op::Argmax ? std::vector<int64_t>{node.attrs.axis} : node.attrs.axes;
  std::vector<int64_t> strides = dense_strides(x.shape);
  StridedShape outer, inner;
  outer.strides.resize(1);
  inner.strides.resize(1);
  for (size_t axis = 0; axis < x.shape.size(); ++axis) {
    bool reduced = std::find(axes.begin(), axes.end(), static_cast<int64_t>(axis)) != axes.end();
    StridedShape& part = reduced ? inner : outer;
    part.dims.push_back(x.shape[axis]);
    part.strides[0].push_back(strides[axis]);
  }
  int64_t outer_count = element_count(outer.dims), inner_count = element_count(inner.dims);
  if (outer_count == 0) return;
  // Argmax's index counts along its one axis, so its reduced axis stays as it is.
  if (node.op != Op::Argmax) inner = coalesce(std::move(inner));
  outer = coalesce(std::move(outer));
  if (outer.dims.size() > max_rank || inner.dims.size() > max_rank)
    fail("Vulkan: {} reduces over axes that do not merge into {} kept and {} reduced ones", describe_node(lowering.graph(), node), max_rank,
         max_rank);

  // A workgroup per output when each reduction is long or there are too few outputs to keep
  // the device busy; otherwise an invocation per output, summing in order.
  bool per_workgroup = inner_count >= 256 || (inner_count >= 16 && outer_count < 4096);
  uint32_t size = per_workgroup ? lowering.row_size(inner_count) : lowering.elementwise_size();
  uint32_t code = node.op == Op::Sum ? 0 : node.op == Op::Max ? 1 : 2;
  Dispatch dispatch;
  dispatch.shader = Shader::Reduce;
  dispatch.specialization = {size, code, per_workgroup ? 1u : 0u};
  dispatch.bindings = {{lowering.value(id), true}, {lowering.input(node, 0), false}};
  dispatch.push = PushWords(2)
                      .u32(outer_count)
                      .u32(inner_count)
                      .u32(static_cast<int64_t>(outer.dims.size()))
                      .u32(static_cast<int64_t>(inner.dims.size()))
                      .array(outer.dims, max_rank)
                      .array(outer.strides[0], max_rank)
                      .array(inner.dims, max_rank)
                      .array(inner.strides[0], max_rank)
                      .take();
  dispatch.groups = {per_workgroup ? static_cast<uint32_t>(std::min<int64_t>(outer_count, lowering.max_groups_x()))
                                   : lowering.groups_for(outer_count, size),
                     1, 1};
  lowering.emit(std::move(dispatch));
}

}  // namespace heed::vulkan
