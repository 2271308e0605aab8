// A run of pointwise nodes of one shape as one dispatch of pointwise.comp, the way the CPU
// backend fuses them (backends/cpu/fusion.cpp): an LSTM cell's gates and their backward would
// otherwise take a dispatch per node, and on a GPU or lavapipe a dispatch costs more than its
// few thousand elements of arithmetic.
//
// The chain is the schedule from `position` on: members (unary and binary arithmetic,
// comparisons, where, and slices or broadcasts of an outside value, of the chain's shape up to
// size-1 axes), reshapes (no dispatch) and fills, whose values members take as constants and
// whose own dispatches follow the chain's. A member's value is stored when something outside
// the chain reads it or the program keeps it. The shader loads every operand of an element
// before it stores anything, so a stored value may have the bytes of a dense operand (the
// planner reuses bytes so); the core's PointwiseSpan::first_unsafe_store ends the chain before
// any member where the overlap is of another kind.
#include "fusion.hpp"
#include "lowering.hpp"

#include <heed/backend/op_codes.hpp>
#include <heed/backend/pointwise_span.hpp>
#include <heed/shape.hpp>

#include <algorithm>
#include <bit>
#include <map>
#include <set>

namespace heed::vulkan {

namespace {

constexpr size_t max_members = 32;
constexpr size_t max_read_bindings = 8;   // pointwise.comp's bindings 1-8
constexpr size_t max_write_bindings = 7;  // and 9-15
constexpr size_t first_write_binding = 1 + max_read_bindings;
constexpr size_t max_rank = 4;
constexpr uint32_t max_registers = 48;

// pointwise.comp's op for a member (heed/backend/op_codes.hpp): a copy for a strided load, else
// the code of an op that unary.comp or binary.comp runs on f32.
std::optional<uint32_t> op_code(const Node& node) {
  if (node.op == Op::Slice || node.op == Op::Broadcast) return HEED_OP_COPY;
  const LowerFunction lower = lowering_for(node.op);
  if ((lower == lower_unary && node.op != Op::Cast) || lower == lower_binary) return kernel_code(node, f32);
  return std::nullopt;
}

struct Load {
  NodeId value;
  int64_t start;  // elements into the value (a slice's first one)
  std::vector<int64_t> strides;  // over the chain's squeezed shape
  uint32_t target;
};

class ChainBuilder {
 public:
  ChainBuilder(Lowering& lowering, const Fusion& fusion, const Plan& plan, size_t start)
      : lowering_(lowering), fusion_(fusion), plan_(plan), graph_(lowering.graph()), span_{graph_, plan_, fusion.uses(), start, start} {}

  // The last position the dispatch covers, once it and the fills' dispatches are emitted.
  std::optional<size_t> lower() {
    const Node& first = graph_.node(order()[span_.start]);
    if (!candidate(first)) return std::nullopt;
    shape_ = squeezed(first.shape);
    span_.end = scan_pointwise_span(graph_, plan_, fusion_.uses(), fusion_.covered(), span_.start,
                                    [this](const Node& node) { return candidate(node); }, max_members)
                    .end;
    for (;;) {
      if (size_t unsafe = span_.first_unsafe_store(); unsafe < span_.end) {
        span_.end = unsafe;
        continue;
      }
      collect();
      if (members_.size() < 2) return std::nullopt;
      std::optional<size_t> shorter = assemble();
      if (!shorter) break;
      span_.end = *shorter;
    }
    emit();
    return last_;
  }

 private:
  const std::vector<NodeId>& order() const { return plan_.order; }
  bool is_alias(NodeId id) const { return span_.is_alias(id); }
  bool is_fill(NodeId id) const { return span_.is_fill(id); }
  bool is_member(NodeId id) const { return member_set_.contains(id); }

  bool candidate(const Node& node) const {
    if (!op_code(node) || node.dtype != f32 || element_count(node.shape) == 0) return false;
    for (NodeId input : node.inputs)
      if (graph_.node(input).dtype != f32) return false;
    return true;
  }

  void collect() {
    members_.clear();
    member_set_.clear();
    for (size_t position = span_.start; position < span_.end; ++position) {
      const NodeId id = order()[position];
      if (is_alias(id) || is_fill(id)) continue;
      members_.push_back(position);
      member_set_.insert(id);
    }
  }

  int member_reads(NodeId id) const { return span_.member_reads(id); }
  bool stored(NodeId id) const { return span_.read_outside(id); }

  uint32_t constant(float value) {
    auto [it, added] = constants_.try_emplace(std::bit_cast<uint32_t>(value), registers_);
    if (added) ++registers_;
    return it->second;
  }

  uint32_t load(NodeId value, int64_t start, std::vector<int64_t> strides) {
    for (const Load& existing : loads_)
      if (existing.value == value && existing.start == start && existing.strides == strides) return existing.target;
    loads_.push_back({value, start, std::move(strides), registers_});
    return registers_++;
  }

  // An operand of `reader` from outside the chain: read through its broadcast strides.
  uint32_t outside(const Node& reader, NodeId input) {
    const NodeId root = plan_.root(input);
    if (is_fill(root)) return constant(static_cast<float>(graph_.node(root).attrs.value));
    return load(root, 0, squeezed_strides(reader.shape, broadcast_strides(graph_.node(input).shape, reader.shape)));
  }

  // Builds the program; where the chain must end earlier, the position to end it at.
  std::optional<size_t> assemble() {
    constants_.clear();
    loads_.clear();
    instructions_.clear();
    stores_.clear();
    member_register_.clear();
    registers_ = 0;
    for (size_t position : members_) {
      const NodeId id = order()[position];
      const Node& node = graph_.node(id);
      std::array<uint32_t, 3> operands{0, 0, 0};
      if (node.op == Op::Slice || node.op == Op::Broadcast) {
        const NodeId root = plan_.root(node.inputs[0]);
        const Node& input = graph_.node(node.inputs[0]);
        if (is_fill(root)) {
          operands[0] = constant(static_cast<float>(graph_.node(root).attrs.value));
        } else if (node.op == Op::Slice) {
          const std::vector<int64_t> dense = dense_strides(input.shape);
          operands[0] = load(root, node.attrs.begin * dense.at(static_cast<size_t>(node.attrs.axis)), squeezed_strides(node.shape, dense));
        } else {
          operands[0] = load(root, 0, squeezed_strides(node.shape, broadcast_strides(input.shape, node.shape)));
        }
      } else {
        for (size_t k = 0; k < node.inputs.size(); ++k) {
          const NodeId root = plan_.root(node.inputs[k]);
          operands[k] = is_member(root) ? member_register_.at(root) : outside(node, node.inputs[k]);
        }
      }
      const uint32_t target = registers_++;
      member_register_[id] = target;
      instructions_.push_back({*op_code(node) | operands[0] << 8 | operands[1] << 16 | operands[2] << 24, target});
      if (stored(id)) stores_.push_back({id, target});
      if (registers_ > max_registers) return position;
    }
    if (read_values().size() > max_read_bindings || stores_.size() > max_write_bindings) return members_[members_.size() / 2];
    return std::nullopt;
  }

  // The values loaded, one binding each (a value loaded with other strides shares it).
  std::vector<NodeId> read_values() const {
    std::vector<NodeId> values;
    for (const Load& operand : loads_)
      if (std::find(values.begin(), values.end(), operand.value) == values.end()) values.push_back(operand.value);
    return values;
  }

  void emit() {
    const std::vector<NodeId> values = read_values();
    auto binding_of = [&](NodeId value) { return static_cast<uint32_t>(std::find(values.begin(), values.end(), value) - values.begin() + 1); };
    std::vector<std::vector<int64_t>> strides;
    for (const Load& operand : loads_) strides.push_back(operand.strides);
    StridedShape merged = coalesce({shape_, strides});
    if (merged.dims.size() > max_rank) {
      last_.reset();
      return;
    }
    std::vector<uint32_t> words{static_cast<uint32_t>(merged.dims.size())};
    for (size_t d = 0; d < max_rank; ++d) words.push_back(d < merged.dims.size() ? static_cast<uint32_t>(merged.dims[d]) : 1u);
    words.insert(words.end(), {static_cast<uint32_t>(constants_.size()), static_cast<uint32_t>(loads_.size()),
                               static_cast<uint32_t>(instructions_.size()), static_cast<uint32_t>(stores_.size())});
    for (const auto& [bits, target] : constants_) words.insert(words.end(), {target, bits});
    for (size_t l = 0; l < loads_.size(); ++l) {
      words.insert(words.end(), {binding_of(loads_[l].value), loads_[l].target, static_cast<uint32_t>(loads_[l].start)});
      for (size_t d = 0; d < max_rank; ++d) words.push_back(d < merged.dims.size() ? static_cast<uint32_t>(merged.strides[l][d]) : 0u);
    }
    for (const auto& [code, target] : instructions_) words.insert(words.end(), {code, target});
    for (size_t w = 0; w < stores_.size(); ++w) words.insert(words.end(), {static_cast<uint32_t>(first_write_binding + w), stores_[w].second});

    Dispatch dispatch;
    dispatch.shader = Shader::Pointwise;
    const uint32_t size = 64;  // pointwise.comp's workgroup: a column of its shared registers each
    const int64_t count = element_count(shape_);
    dispatch.specialization = {size};
    dispatch.bindings.push_back({lowering_.constant_words(std::move(words)), false});
    for (size_t r = 0; r < max_read_bindings; ++r) dispatch.bindings.push_back({r < values.size() ? lowering_.value(values[r]) : lowering_.zero_word(), false});
    // The shader may write any write binding as far as the validation layer can tell: unused ones
    // get a scratch word of their own rather than a range others read.
    const Slot unused = lowering_.scratch(4);
    for (size_t w = 0; w < max_write_bindings; ++w) dispatch.bindings.push_back({w < stores_.size() ? lowering_.value(stores_[w].first) : unused, true});
    dispatch.push = PushWords(dispatch.bindings.size()).u32(count).take();
    dispatch.groups = {lowering_.groups_for(count, size), 1, 1};
    lowering_.emit(std::move(dispatch));
    // Fills inside the span: members took their values as constants. One that something else
    // reads runs after the chain; one that only members read runs not at all, since a stored
    // member may have its bytes (it was free once its last member read it).
    for (size_t position = span_.start; position <= members_.back(); ++position) {
      const NodeId id = order()[position];
      if (is_fill(id) && span_.read_outside(id)) lowering_for(Op::Full)(lowering_, graph_.node(id), id);
    }
    last_ = members_.back();
  }

  Lowering& lowering_;
  const Fusion& fusion_;
  const Plan& plan_;
  const Graph& graph_;
  PointwiseSpan span_;
  Shape shape_;
  std::vector<size_t> members_;  // positions
  std::set<NodeId> member_set_;
  std::map<uint32_t, uint32_t> constants_;  // bits -> register
  std::vector<Load> loads_;
  std::vector<std::pair<uint32_t, uint32_t>> instructions_;  // code, target register
  std::vector<std::pair<NodeId, uint32_t>> stores_;
  std::map<NodeId, uint32_t> member_register_;
  uint32_t registers_ = 0;
  std::optional<size_t> last_;
};

}  // namespace

std::optional<size_t> lower_pointwise_chain(Lowering& lowering, const Fusion& fusion, const Plan& plan, size_t position) {
  if (!fusion.chains_enabled()) return std::nullopt;
  // On a CPU implementation a dispatch costs about 40 us, about what interpreting a program over
  // 8192 elements costs more than the plain shaders: measured on lavapipe, an LSTM step at batch
  // 1 ran 2.4 times faster fused, one at batch 64 x 128 no faster, and seq2seq's training step
  // slower. There only small chains are fused; GPUs, where a dispatch costs more, fuse all.
  constexpr int64_t cpu_chain_elements = 4096;
  if (lowering.cpu_variants() && element_count(lowering.graph().node(plan.order[position]).shape) > cpu_chain_elements) return std::nullopt;
  return ChainBuilder(lowering, fusion, plan, position).lower();
}

}  // namespace heed::vulkan
