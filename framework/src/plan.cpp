#include <heed/error.hpp>
#include <heed/backend/attention_layout.hpp>
#include <heed/backend/plan.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace heed {

namespace {

int64_t round_up(int64_t bytes) { return std::max<int64_t>(arena_alignment, (bytes + arena_alignment - 1) / arena_alignment * arena_alignment); }

// Best-fit allocation of byte ranges in one growing arena; freed neighbours merge.
class ArenaAllocator {
 public:
  int64_t allocate(int64_t bytes) {
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->second >= bytes && (best == free_.end() || it->second < best->second)) best = it;
    if (best != free_.end()) {
      int64_t offset = best->first, left = best->second - bytes;
      free_.erase(best);
      if (left > 0) free_[offset + bytes] = left;
      return offset;
    }
    // Grow the arena, absorbing a free block that ends at the top.
    int64_t offset = end_;
    if (!free_.empty()) {
      auto last = std::prev(free_.end());
      if (last->first + last->second == end_) {
        offset = last->first;
        free_.erase(last);
      }
    }
    end_ = offset + bytes;
    peak_ = std::max(peak_, end_);
    return offset;
  }

  void release(int64_t offset, int64_t bytes) {
    auto [it, inserted] = free_.emplace(offset, bytes);
    auto next = std::next(it);
    if (next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      auto previous = std::prev(it);
      if (previous->first + previous->second == it->first) {
        previous->second += it->second;
        free_.erase(it);
      }
    }
  }

  int64_t peak() const { return peak_; }

 private:
  std::map<int64_t, int64_t> free_;  // offset -> size
  int64_t end_ = 0, peak_ = 0;
};

// Attention statistics run right after the attention they describe, wherever the graph built
// them (the backward builds them): they are then computed while their inputs are at hand, and a
// backend may have the forward's kernel write them (kernel_groups.hpp).
std::vector<NodeId> statistics_beside_attention(const Graph& graph, const std::vector<NodeId>& order) {
  std::vector<NodeId> statistics, forwards;
  for (NodeId id : order) {
    if (graph.node(id).op == Op::AttentionStatistics) statistics.push_back(id);
    if (graph.node(id).op == Op::Attention) forwards.push_back(id);
  }
  if (statistics.empty()) return order;
  std::map<NodeId, std::vector<NodeId>> beside;  // forward -> its statistics
  for (NodeId s : statistics)
    for (NodeId f : forwards)
      if (describes(graph.node(s), graph.node(f))) {
        beside[f].push_back(s);
        break;
      }
  std::vector<char> moved(static_cast<size_t>(graph.size()), 0);
  for (const auto& [forward, list] : beside)
    for (NodeId s : list) moved[static_cast<size_t>(s)] = 1;
  std::vector<NodeId> result;
  for (NodeId id : order) {
    if (moved[static_cast<size_t>(id)]) continue;
    result.push_back(id);
    if (auto found = beside.find(id); found != beside.end()) result.insert(result.end(), found->second.begin(), found->second.end());
  }
  return result;
}

Storage storage_of(Op op) {
  switch (op) {
    case Op::Parameter:
    case Op::State: return Storage::Persistent;
    case Op::Input: return Storage::Input;
    case Op::Constant: return Storage::Constant;
    case Op::Reshape:
    case Op::StopGradient: return Storage::Alias;
    default: return is_effect(op) ? Storage::None : Storage::Arena;
  }
}

}  // namespace

Plan plan_graph(const Graph& graph) {
  const auto count = static_cast<size_t>(graph.size());
  Plan plan;
  plan.values.resize(count);

  std::vector<char> needed(count, 0);
  for (NodeId id : graph.outputs()) needed[static_cast<size_t>(id)] = 1;
  for (size_t i = 0; i < count; ++i)
    if (is_effect(graph.node(static_cast<NodeId>(i)).op)) needed[i] = 1;
  for (size_t i = count; i-- > 0;)
    if (needed[i])
      for (NodeId input : graph.node(static_cast<NodeId>(i)).inputs) needed[static_cast<size_t>(input)] = 1;
  if (std::none_of(needed.begin(), needed.end(), [](char n) { return n != 0; }))
    fail("compile: the graph has no outputs and no effects, so nothing would run; mark results with graph.output()");

  for (int pass = 0; pass < 2; ++pass)  // computations first, then effects in creation order
    for (size_t i = 0; i < count; ++i) {
      const Node& node = graph.node(static_cast<NodeId>(i));
      if (needed[i] && storage_of(node.op) != Storage::Persistent && storage_of(node.op) != Storage::Input &&
          storage_of(node.op) != Storage::Constant && is_effect(node.op) == (pass == 1))
        plan.order.push_back(static_cast<NodeId>(i));
    }
  plan.order = statistics_beside_attention(graph, plan.order);

  for (size_t i = 0; i < count; ++i) {
    if (!needed[i]) continue;
    const Node& node = graph.node(static_cast<NodeId>(i));
    ValuePlan& value = plan.values[i];
    value.storage = storage_of(node.op);
    value.bytes = is_effect(node.op) ? 0 : element_count(node.shape) * dtype_size(node.dtype);
    if (value.storage == Storage::Alias) value.alias_of = plan.root(node.inputs.at(0));
    if (value.storage == Storage::Persistent) plan.persistent_bytes += value.bytes;
    if (value.storage == Storage::Input) plan.input_bytes += value.bytes;
  }

  // Liveness of arena values over the schedule; an alias keeps its root alive.
  constexpr int64_t forever = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> last_use(count, -1);
  for (size_t position = 0; position < plan.order.size(); ++position) {
    const Node& node = graph.node(plan.order[position]);
    auto self = static_cast<size_t>(plan.root(plan.order[position]));
    last_use[self] = std::max(last_use[self], static_cast<int64_t>(position));
    for (NodeId input : node.inputs) {
      auto root = static_cast<size_t>(plan.root(input));
      last_use[root] = std::max(last_use[root], static_cast<int64_t>(position));
    }
  }
  for (NodeId id : graph.outputs()) last_use[static_cast<size_t>(plan.root(id))] = forever;

  std::vector<std::vector<NodeId>> release_at(plan.order.size());
  ArenaAllocator arena;
  for (size_t position = 0; position < plan.order.size(); ++position) {
    NodeId id = plan.order[position];
    ValuePlan& value = plan.values[static_cast<size_t>(id)];
    if (value.storage == Storage::Arena) {
      value.offset = arena.allocate(round_up(value.bytes));
      int64_t last = last_use[static_cast<size_t>(id)];
      if (last != forever) release_at[static_cast<size_t>(std::max<int64_t>(last, static_cast<int64_t>(position)))].push_back(id);
    }
    // Inputs are read while the output is written, so they are released only after the node.
    for (NodeId done : release_at[position])
      arena.release(plan.values[static_cast<size_t>(done)].offset, round_up(plan.values[static_cast<size_t>(done)].bytes));
  }
  plan.arena_bytes = arena.peak();
  return plan;
}

}  // namespace heed
