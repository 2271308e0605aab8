#include <heed/backend/masked_softmax_pattern.hpp>

#include <algorithm>
#include <set>

namespace heed {

namespace {

// A scalar f32 fill, and its value.
std::optional<float> scalar_fill(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  if (node.op != Op::Full || node.dtype != f32 || element_count(node.shape) != 1) return std::nullopt;
  return static_cast<float>(node.attrs.value);
}

// The bytes of a value's arena storage, if it has any (other storage never shares bytes).
std::optional<std::pair<int64_t, int64_t>> arena_range(const Plan& plan, NodeId id) {
  const ValuePlan& value = plan.values[static_cast<size_t>(plan.root(id))];
  if (value.storage != Storage::Arena || value.bytes == 0) return std::nullopt;
  return std::pair(value.offset, value.offset + value.bytes);
}

bool overlap(const Plan& plan, NodeId a, NodeId b) {
  auto x = arena_range(plan, a), y = arena_range(plan, b);
  return x && y && x->first < y->second && y->first < x->second;
}

}  // namespace

std::optional<MaskedSoftmax> match_masked_softmax(const Graph& graph, const Plan& plan, size_t position, size_t max_masks) {
  const NodeId softmax = plan.order[position];
  const Node& node = graph.node(softmax);
  if (node.op != Op::Softmax || node.dtype != f32 || node.shape.empty() || element_count(node.shape) == 0) return std::nullopt;

  std::vector<int64_t> scheduled_at(static_cast<size_t>(graph.size()), -1);
  std::vector<int> readers(static_cast<size_t>(graph.size()), 0);
  for (size_t p = 0; p < plan.order.size(); ++p) {
    scheduled_at[static_cast<size_t>(plan.order[p])] = static_cast<int64_t>(p);
    for (NodeId input : graph.node(plan.order[p]).inputs) ++readers[static_cast<size_t>(input)];
  }
  const std::vector<NodeId>& outputs = graph.outputs();
  auto absorbable = [&](NodeId id) {
    const Node& value = graph.node(id);
    return scheduled_at[static_cast<size_t>(id)] >= 0 && plan.values[static_cast<size_t>(id)].storage == Storage::Arena &&
           readers[static_cast<size_t>(id)] == 1 && std::find(outputs.begin(), outputs.end(), id) == outputs.end() &&
           value.dtype == f32 && value.shape == node.shape;
  };

  MaskedSoftmax pattern;
  NodeId value = node.inputs[0];
  while (absorbable(value) && graph.node(value).op == Op::Where && pattern.masks.size() < max_masks) {
    const Node& where = graph.node(value);
    const std::optional<float> fill = scalar_fill(graph, where.inputs[2]);
    const Node& mask = graph.node(where.inputs[0]);
    if (!fill || mask.dtype != f32 || !broadcasts_to(mask.shape, node.shape)) break;
    pattern.masks.insert(pattern.masks.begin(), {where.inputs[0], *fill});
    pattern.absorbed.push_back(static_cast<size_t>(scheduled_at[static_cast<size_t>(value)]));
    value = where.inputs[1];
  }
  if (absorbable(value) && graph.node(value).op == Op::Mul) {
    const Node& mul = graph.node(value);
    for (size_t side : {1u, 0u})
      if (std::optional<float> scale = scalar_fill(graph, mul.inputs[side])) {
        pattern.scale = *scale;
        pattern.absorbed.push_back(static_cast<size_t>(scheduled_at[static_cast<size_t>(value)]));
        value = mul.inputs[1 - side];
        break;
      }
  }
  if (pattern.absorbed.empty() || graph.node(value).shape != node.shape || graph.node(value).dtype != f32) return std::nullopt;
  pattern.x = value;

  // x and the masks are read at the softmax's position, later than the absorbed nodes read them.
  std::vector<NodeId> read{pattern.x};
  for (const MaskedSoftmax::Mask& mask : pattern.masks) read.push_back(mask.values);
  const std::set<size_t> absorbed(pattern.absorbed.begin(), pattern.absorbed.end());
  for (size_t p = *absorbed.begin() + 1; p < position; ++p) {
    const NodeId between = plan.order[p];
    if (absorbed.contains(p) || plan.values[static_cast<size_t>(between)].storage == Storage::Alias) continue;
    for (NodeId value_read : read)
      if (overlap(plan, between, value_read)) return std::nullopt;
  }
  for (size_t i = 1; i < read.size(); ++i)
    if (overlap(plan, softmax, read[i])) return std::nullopt;
  if (overlap(plan, softmax, pattern.x) && arena_range(plan, softmax)->first != arena_range(plan, pattern.x)->first) return std::nullopt;
  return pattern;
}

}  // namespace heed
