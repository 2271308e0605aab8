#include <heed/backend/pointwise_span.hpp>

namespace heed {

bool PointwiseSpan::in_span(NodeId id) const {
  const int64_t position = uses.position(id);
  return position >= static_cast<int64_t>(start) && position < static_cast<int64_t>(end);
}

int PointwiseSpan::member_reads(NodeId id) const {
  int reads = 0;
  for (size_t position = start; position < end; ++position) {
    const NodeId reader = plan.order[position];
    if (!is_member(reader)) continue;
    for (NodeId input : graph.node(reader).inputs) reads += plan.root(input) == id ? 1 : 0;
  }
  return reads;
}

size_t PointwiseSpan::first_unsafe_store() const {
  const Shape& first = graph.node(plan.order[start]).shape;
  const Shape shape = squeezed(first);
  const int64_t count = element_count(first);
  // Read at the run's own positions: not through a slice's or broadcast's strides.
  auto dense = [&](const Node& reader, NodeId input) {
    const Shape& read = graph.node(input).shape;
    return reader.op != Op::Slice && reader.op != Op::Broadcast && element_count(read) == count && squeezed(read) == shape;
  };
  for (size_t position = start; position < end; ++position) {
    const NodeId id = plan.order[position];
    if (!is_member(id) || !read_outside(id)) continue;
    for (size_t earlier = start; earlier <= position; ++earlier) {
      const NodeId reader = plan.order[earlier];
      if (!is_member(reader)) continue;
      for (NodeId input : graph.node(reader).inputs) {
        const NodeId source = plan.root(input);
        if (is_member(source) || is_folded(source) || !uses.overlap(id, source)) continue;
        if (!uses.same_start(id, source) || !dense(graph.node(reader), input)) return position;
      }
    }
  }
  return end;
}

PointwiseSpan scan_pointwise_span(const Graph& graph, const Plan& plan, const ValueUses& uses, std::span<const char> covered, size_t start,
                                  const std::function<bool(const Node&)>& accepts, size_t max_members) {
  PointwiseSpan span{graph, plan, uses, start, start};
  const Node& first = graph.node(plan.order[start]);
  if (covered[start] || !accepts(first) || element_count(first.shape) == 0) return span;
  const Shape shape = squeezed(first.shape);
  size_t members = 0;
  for (size_t position = start; position < plan.order.size() && members < max_members; ++position) {
    const NodeId id = plan.order[position];
    if (covered[position]) break;  // a group's kernel does its work
    if (span.is_alias(id) || span.is_fill(id)) continue;
    const Node& node = graph.node(id);
    if (!accepts(node) || squeezed(node.shape) != shape) break;
    if ((node.op == Op::Slice || node.op == Op::Broadcast) && span.in_span(plan.root(node.inputs[0]))) break;
    ++members;
    span.end = position + 1;
  }
  return span;
}

}  // namespace heed
