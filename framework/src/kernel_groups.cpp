#include <heed/backend/kernel_groups.hpp>

#include <heed/backend/attention_layout.hpp>

#include <algorithm>

namespace heed {

ValueUses::ValueUses(const Graph& graph, const Plan& plan)
    : plan_(plan),
      direct_(static_cast<size_t>(graph.size()), 0),
      root_readers_(static_cast<size_t>(graph.size()), 0),
      kept_(static_cast<size_t>(graph.size()), 0),
      root_kept_(static_cast<size_t>(graph.size()), 0),
      positions_(static_cast<size_t>(graph.size()), -1) {
  for (size_t position = 0; position < plan.order.size(); ++position) {
    const NodeId id = plan.order[position];
    positions_[static_cast<size_t>(id)] = static_cast<int64_t>(position);
    const bool alias = plan.values[static_cast<size_t>(id)].storage == Storage::Alias;  // reads nothing itself
    for (NodeId input : graph.node(id).inputs) {
      ++direct_[static_cast<size_t>(input)];
      if (!alias) ++root_readers_[static_cast<size_t>(plan.root(input))];
    }
  }
  for (NodeId id : graph.outputs()) {
    kept_[static_cast<size_t>(id)] = 1;
    root_kept_[static_cast<size_t>(plan.root(id))] = 1;
  }
}

namespace {

// A value's arena bytes, if it has any; empty values count as 4 bytes, as a binding does.
std::optional<std::pair<int64_t, int64_t>> arena_bytes(const Plan& plan, NodeId id) {
  const ValuePlan& value = plan.values[static_cast<size_t>(plan.root(id))];
  if (value.storage != Storage::Arena) return std::nullopt;
  return std::pair(value.offset, value.offset + std::max<int64_t>(value.bytes, 4));
}

}  // namespace

bool ValueUses::overlap(NodeId a, NodeId b) const {
  auto x = arena_bytes(plan_, a), y = arena_bytes(plan_, b);
  return x && y && x->first < y->second && y->first < x->second;
}

bool ValueUses::same_start(NodeId a, NodeId b) const {
  auto x = arena_bytes(plan_, a), y = arena_bytes(plan_, b);
  return x && y && x->first == y->first;
}

namespace {

bool reads(const Node& node, NodeId value) { return std::find(node.inputs.begin(), node.inputs.end(), value) != node.inputs.end(); }

// Whether a value is read by one scheduled node alone and kept by nobody: a group may then
// leave it unwritten.
bool read_once(const ValueUses& uses, NodeId id) {
  return uses.direct_readers(id) == 1 && uses.root_readers(id) == 1 && !uses.kept(id) && !uses.root_kept(id);
}

// The axes of the scores' rows that the masks walk, merged where every mask walks them contiguously.
size_t mask_axes(const Graph& graph, const MaskedSoftmax& pattern, const Shape& scores) {
  StridedShape rows{Shape(scores.begin(), scores.end() - 1), {}};
  for (const MaskedSoftmax::Mask& mask : pattern.masks) {
    std::vector<int64_t> strides = broadcast_strides(graph.node(mask.values).shape, scores);
    rows.strides.emplace_back(strides.begin(), strides.end() - 1);
  }
  return coalesce(std::move(rows)).dims.size();
}

bool has_inner_products(const Graph& graph, const Node& matmul) {
  const Shape& a = graph.node(matmul.inputs[0]).shape;
  return element_count(matmul.shape) > 0 && (matmul.attrs.transpose_a ? a[a.size() - 2] : a.back()) > 0;
}

class GroupFinder {
 public:
  GroupFinder(const Graph& graph, const Plan& plan, const ValueUses& uses, const FusionCapabilities& capabilities, KernelGroups& groups)
      : graph_(graph), plan_(plan), uses_(uses), capabilities_(capabilities), groups_(groups) {}

  std::optional<MatmulGroup> matmul_group(size_t position) const {
    const Node& matmul = graph_.node(order()[position]);
    if (matmul.op != Op::Matmul || matmul.dtype != f32 || !has_inner_products(graph_, matmul)) return std::nullopt;
    if (capabilities_.accumulate_epilogue)
      if (std::optional<MatmulGroup> group = accumulate(position)) return group;
    return capabilities_.bias_epilogue ? bias(position) : std::nullopt;
  }

  // The statistics are written while the attention reads its inputs and writes its output, so
  // their bytes must be apart from all of those.
  std::optional<AttentionGroup> attention_group(size_t position) const {
    if (!capabilities_.attention_statistics || position + 1 >= order().size()) return std::nullopt;
    const NodeId attention = order()[position], statistics = order()[position + 1];
    const Node& node = graph_.node(attention);
    if (!describes(graph_.node(statistics), node) || uses_.overlap(statistics, attention)) return std::nullopt;
    for (NodeId input : node.inputs)
      if (uses_.overlap(statistics, input)) return std::nullopt;
    return AttentionGroup{attention, statistics};
  }

 private:
  const std::vector<NodeId>& order() const { return plan_.order; }
  bool free(size_t position) const { return position < order().size() && !groups_.is_covered(position); }

  // The kernel writes the result (and the sum) at the matmul's position, earlier than the nodes
  // it replaces would. Nothing else runs in between, since the pattern's nodes are consecutive,
  // and the bias is computed before the add and so before the matmul. But the planner may have
  // given the result the bytes of an operand that dies at the matmul (it was free by the time of
  // the add or the activation): then the product is staged in its own bytes where the backend
  // can, and the pattern is not fused where it cannot.
  std::optional<MatmulGroup> bias(size_t position) const {
    const NodeId matmul = order()[position];
    const Node& matmul_node = graph_.node(matmul);
    if (!free(position + 1) || !read_once(uses_, matmul)) return std::nullopt;
    const NodeId add = order()[position + 1];
    const Node& add_node = graph_.node(add);
    if (add_node.op != Op::Add || add_node.shape != matmul_node.shape || add_node.dtype != f32 || !reads(add_node, matmul)) return std::nullopt;
    MatmulGroup group;
    group.matmul = matmul;
    group.addend = add_node.inputs[0] == matmul ? add_node.inputs[1] : add_node.inputs[0];
    const Node& bias_node = graph_.node(group.addend);
    const int64_t columns = matmul_node.shape.back();
    if (group.addend == matmul || bias_node.dtype != f32 || element_count(bias_node.shape) != columns ||
        (!bias_node.shape.empty() && bias_node.shape.back() != columns))
      return std::nullopt;
    group.result = add;
    group.covered = {position + 1};

    // An activation of the sum, possibly behind a reshape (nn::Linear returns one).
    size_t next = position + 2;
    if (free(next) && graph_.node(order()[next]).op == Op::Reshape && plan_.root(order()[next]) == add) ++next;
    if (free(next)) {
      const Node& activation = graph_.node(order()[next]);
      const auto& allowed = capabilities_.epilogue_activations;
      const bool sum_read = uses_.root_readers(add) > 1 || uses_.root_kept(add);
      if (std::find(allowed.begin(), allowed.end(), activation.op) != allowed.end() && activation.dtype == f32 &&
          plan_.root(activation.inputs.at(0)) == add && (!sum_read || capabilities_.epilogue_stores_sum)) {
        group.activation = activation.op;
        group.result = order()[next];
        for (size_t covered = position + 2; covered <= next; ++covered) group.covered.push_back(covered);
        if (sum_read) group.sum = add;
      }
    }

    bool overlapping = false;
    for (NodeId written : {group.result, group.sum})
      if (written >= 0)
        for (NodeId read : {matmul_node.inputs[0], matmul_node.inputs[1], group.addend}) overlapping = overlapping || uses_.overlap(written, read);
    if (overlapping) {
      const bool stageable = capabilities_.epilogue_staged && group.sum < 0 && !uses_.overlap(matmul, group.addend) &&
                             plan_.values[static_cast<size_t>(plan_.root(matmul))].bytes == plan_.values[static_cast<size_t>(plan_.root(group.result))].bytes;
      if (!stageable) return std::nullopt;
      group.staged = true;
    }
    return group;
  }

  // matmul ... add(matmul, other): a gradient summed over the steps of a recurrence
  // (dW += h^T dgates), or gates = projected input + h W_hh^T. The add may come a few nodes later
  // (autodiff makes both products of a matmul's VJP before adding them to the running sums), so
  // the kernel writes the add's output early; that is safe when no node in between touches
  // those bytes and `other` is computed already.
  std::optional<MatmulGroup> accumulate(size_t position) const {
    constexpr size_t reach = 8;  // nodes to look ahead for the add
    const NodeId matmul = order()[position];
    const Node& matmul_node = graph_.node(matmul);
    if (!read_once(uses_, matmul)) return std::nullopt;
    size_t later = position + 1;
    while (later < order().size() && later <= position + reach && !reads(graph_.node(order()[later]), matmul)) ++later;
    if (later > position + reach || !free(later)) return std::nullopt;
    const NodeId add = order()[later];
    const Node& add_node = graph_.node(add);
    if (add_node.op != Op::Add || add_node.shape != matmul_node.shape) return std::nullopt;
    const NodeId other = add_node.inputs[0] == matmul ? add_node.inputs[1] : add_node.inputs[0];
    const Node& other_node = graph_.node(other);
    if (other == matmul || other_node.dtype != f32 || other_node.shape != matmul_node.shape) return std::nullopt;
    if (uses_.position(plan_.root(other)) >= static_cast<int64_t>(position)) return std::nullopt;
    for (NodeId input : {matmul_node.inputs[0], matmul_node.inputs[1], other})
      if (uses_.overlap(add, input)) return std::nullopt;
    for (size_t between = position + 1; between < later; ++between) {
      const NodeId id = order()[between];
      if (plan_.values[static_cast<size_t>(id)].storage != Storage::Alias && uses_.overlap(add, id)) return std::nullopt;
      for (NodeId input : graph_.node(id).inputs)
        if (uses_.overlap(add, input)) return std::nullopt;
    }
    MatmulGroup group;
    group.epilogue = MatmulGroup::Epilogue::accumulate;
    group.matmul = matmul;
    group.addend = other;
    group.result = add;
    group.covered = {later};
    return group;
  }

  const Graph& graph_;
  const Plan& plan_;
  const ValueUses& uses_;
  const FusionCapabilities& capabilities_;
  KernelGroups& groups_;
};

}  // namespace

KernelGroups plan_kernel_groups(const Graph& graph, const Plan& plan, const ValueUses& uses, const FusionCapabilities& capabilities,
                                bool fusion) {
  KernelGroups groups;
  groups.covered.assign(plan.order.size(), 0);
  if (!fusion) return groups;
  // A masked softmax runs at the softmax, so the nodes it stands for are covered before any
  // earlier group could take them.
  if (capabilities.masked_softmax_masks > 0)
    for (size_t position = 0; position < plan.order.size(); ++position)
      if (std::optional<MaskedSoftmax> pattern = match_masked_softmax(graph, plan, position, capabilities.masked_softmax_masks);
          pattern && mask_axes(graph, *pattern, graph.node(plan.order[position]).shape) <= capabilities.masked_softmax_mask_axes) {
        for (size_t covered : pattern->absorbed) groups.covered[covered] = 1;
        groups.masked_softmaxes.emplace(position, std::move(*pattern));
      }
  GroupFinder finder(graph, plan, uses, capabilities, groups);
  for (size_t position = 0; position < plan.order.size(); ++position) {
    if (groups.is_covered(position)) continue;
    if (std::optional<MatmulGroup> group = finder.matmul_group(position)) {
      for (size_t covered : group->covered) groups.covered[covered] = 1;
      groups.matmuls.emplace(position, std::move(*group));
    }
    if (std::optional<AttentionGroup> group = finder.attention_group(position)) {
      groups.covered[position + 1] = 1;
      groups.attentions.emplace(position, *group);
    }
  }
  return groups;
}

}  // namespace heed
