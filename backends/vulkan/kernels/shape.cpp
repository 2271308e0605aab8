// Shape ops as strided copies (copy.comp): permute, slice, broadcast, each part of a concat,
// and the Assign effect. Reshape is an alias in the plan and needs no work.
#include "lowering.hpp"
#include <heed/shape.hpp>

namespace heed::vulkan {

namespace {

constexpr size_t max_rank = 6;  // copy.comp's arrays

// Copies a region of `dims` from `source` (read through source_strides) to `target` (written
// through target_strides); offsets are already in the slots.
void copy(Lowering& lowering, const Node& node, Slot target, Slot source, Shape dims, std::vector<int64_t> source_strides,
          std::vector<int64_t> target_strides, int32_t write_group = -1) {
  int64_t count = element_count(dims);
  if (count == 0) return;
  StridedShape region = coalesce({std::move(dims), {std::move(source_strides), std::move(target_strides)}});
  if (region.dims.size() > max_rank)
    fail("Vulkan: {} needs a copy over {} axes that cannot be merged; the shader handles {}", describe_node(lowering.graph(), node),
         region.dims.size(), max_rank);
  uint32_t size = lowering.elementwise_size();
  Dispatch dispatch;
  dispatch.shader = Shader::Copy;
  dispatch.specialization = {size};
  dispatch.bindings = {{target, true}, {source, false}};
  dispatch.push = PushWords(2)
                      .u32(count)
                      .u32(static_cast<int64_t>(region.dims.size()))
                      .array(region.dims, max_rank)
                      .array(region.strides[0], max_rank)
                      .array(region.strides[1], max_rank)
                      .take();
  dispatch.groups = {lowering.groups_for(count, size), 1, 1};
  dispatch.write_group = write_group;
  lowering.emit(std::move(dispatch));
}

Slot shifted(Slot slot, int64_t elements) {
  slot.offset += elements * 4;
  slot.bytes -= elements * 4;
  return slot;
}

}  // namespace

void lower_shape(Lowering& lowering, const Node& node, NodeId id) {
  const Shape& out = node.shape;
  switch (node.op) {
    case Op::Reshape:
    case Op::StopGradient: return;
    case Op::Assign: {
      // The target is input 0 (its persistent storage); the value is input 1.
      const Shape& shape = lowering.input_node(node, 0).shape;
      copy(lowering, node, lowering.input(node, 0), lowering.input(node, 1), shape, dense_strides(shape), dense_strides(shape));
      return;
    }
    case Op::Broadcast: {
      const Shape& in = lowering.input_node(node, 0).shape;
      copy(lowering, node, lowering.value(id), lowering.input(node, 0), out, broadcast_strides(in, out), dense_strides(out));
      return;
    }
    case Op::Permute: {
      std::vector<int64_t> in_strides = dense_strides(lowering.input_node(node, 0).shape), source(out.size());
      for (size_t i = 0; i < out.size(); ++i) source[i] = in_strides[static_cast<size_t>(node.attrs.axes[i])];
      copy(lowering, node, lowering.value(id), lowering.input(node, 0), out, source, dense_strides(out));
      return;
    }
    case Op::Slice: {
      std::vector<int64_t> in_strides = dense_strides(lowering.input_node(node, 0).shape);
      Slot source = shifted(lowering.input(node, 0), node.attrs.begin * in_strides[static_cast<size_t>(node.attrs.axis)]);
      copy(lowering, node, lowering.value(id), source, out, in_strides, dense_strides(out));
      return;
    }
    case Op::Concat: {
      std::vector<int64_t> out_strides = dense_strides(out);
      auto axis = static_cast<size_t>(node.attrs.axis);
      int64_t along = 0;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const Shape& part = lowering.input_node(node, i).shape;
        Slot target = shifted(lowering.value(id), along * out_strides[axis]);
        copy(lowering, node, target, lowering.input(node, i), part, dense_strides(part), out_strides, id);
        along += part[axis];
      }
      return;
    }
    default: fail("Vulkan: no shape kernel for {}", describe_node(lowering.graph(), node));
  }
}

}  // namespace heed::vulkan
