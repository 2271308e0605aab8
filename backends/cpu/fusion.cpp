// Pointwise fusion: a run of consecutive scheduled f32 pointwise nodes over one shape (an LSTM
// cell's gates, their backward, tanh(query + keys) and its gradient) becomes one kernel
// (pointwise_kernel.cpp). oneDNN would launch one primitive per node and write every
// intermediate to memory; at batch 1 the launches are most of the time. The unfused nodes stay
// the reference: CompileOptions::fusion off compiles them one by one, and the tests compare both.
//
// A chain is a span of the schedule. Inside it:
// - members: unary and binary arithmetic, comparisons, where, and slices or broadcasts of a
//   value from outside the chain (a strided read), all with the chain's shape up to size-1 axes;
// - reshapes and stop-gradients, which have no kernel;
// - fills (Full): folded into constants when only members read them, run after the chain when
//   none does, and ending the chain when both do (the fill must then run first).
// A member's value goes to memory only when something outside the chain reads it or the program
// keeps it. The planner may give such a value bytes that an input of the chain had before; the
// core's PointwiseSpan::first_unsafe_store ends the chain before any member where that is unsafe.
#include "kernel.hpp"
#include "pointwise_kernel.hpp"

#include <heed/backend/pointwise_span.hpp>

#include <bit>
#include <map>
#include <set>

namespace heed::cpu {

namespace {

// Members per chain at most: enough for an LSTM cell's forward or backward.
constexpr size_t max_pointwise_members = 32;

// The interpreter's op for a node: its code where the interpreter runs it; a slice or a
// broadcast is a strided read, a copy.
std::optional<PointwiseOp> pointwise_op(Op op) {
  if (op == Op::Slice || op == Op::Broadcast) return PointwiseOp::Copy;
  const int code = op_info(op).code;
  for (PointwiseOp interpreted : interpreted_ops)
    if (static_cast<int>(interpreted) == code && interpreted != PointwiseOp::Copy) return interpreted;
  return std::nullopt;
}

bool all_f32(const CompileContext& context, const Node& node) {
  if (node.dtype != f32) return false;
  for (NodeId input : node.inputs)
    if (context.graph().node(input).dtype != f32) return false;
  return true;
}

class ChainBuilder {
 public:
  ChainBuilder(const CompileContext& context, size_t position)
      : context_(context), graph_(context.graph()), plan_(context.plan()), span_{graph_, plan_, context.uses(), position, position} {}

  std::optional<FusedKernel> build() {
    const Node& first = graph_.node(order()[span_.start]);
    if (!pointwise_op(first.op) || !all_f32(context_, first)) return std::nullopt;
    shape_ = squeezed(first.shape);
    count_ = element_count(first.shape);
    if (count_ == 0) return std::nullopt;
    span_.end = scan_pointwise_span(graph_, plan_, context_.uses(), context_.claimed_positions(), span_.start,
                                    [this](const Node& node) { return pointwise_op(node.op) && all_f32(context_, node); }, max_pointwise_members)
                    .end;
    for (;;) {
      // Each check may end the chain earlier, which changes who reads what: repeat until none does.
      while (!settle()) {
      }
      if (members_ < 2) return std::nullopt;
      if (std::optional<size_t> overflow = assemble(); !overflow) break;
      else span_.end = *overflow;
    }
    // A concat right after the chain that joins values only it reads takes them straight from
    // the chain: they are written into their places in its output instead of their own buffers.
    if (absorb_concat() && assemble()) {
      absorbed_.clear();
      stores_.clear();
      concat_position_.reset();
      assemble();
    }
    std::vector<std::unique_ptr<Kernel>> after;
    for (size_t position = span_.start; position < span_.end; ++position) {
      const NodeId id = order()[position];
      if (!is_alias(id) && !is_member(id) && member_reads(id) == 0)
        if (std::unique_ptr<Kernel> kernel = make_kernel(context_, {id, graph_.node(id)})) after.push_back(std::move(kernel));
    }
    program_.count = count_;
    const size_t last = concat_position_ ? *concat_position_ : span_.end - 1;
    if (concat_position_) name_ += " + concat";
    FusedKernel fused{pointwise_kernel(std::move(program_), std::move(after)), last - span_.start};
    fused.name = std::move(name_);
    return fused;
  }

 private:
  const std::vector<NodeId>& order() const { return plan_.order; }
  NodeId root(NodeId id) const { return plan_.root(id); }
  bool is_alias(NodeId id) const { return span_.is_alias(id); }
  bool is_fill(NodeId id) const { return span_.is_fill(id); }
  bool is_member(NodeId id) const { return span_.is_member(id); }
  bool is_folded(NodeId id) const { return span_.is_folded(id); }
  int member_reads(NodeId id) const { return span_.member_reads(id); }
  bool written(NodeId id) const { return !absorbed_.contains(id) && span_.read_outside(id); }

  // Whether the node after the chain (past aliases) is a concat of members that nothing else
  // reads, whose output may be written while the chain runs: its bytes must not be any the chain
  // still reads or writes elsewhere.
  bool absorb_concat() {
    size_t position = span_.end;
    while (position < order().size() && is_alias(order()[position])) ++position;
    if (position >= order().size()) return false;
    const NodeId concat = order()[position];
    const Node& node = graph_.node(concat);
    if (context_.claimed(position)) return false;
    if (node.op != Op::Concat || node.dtype != f32) return false;
    const std::vector<int64_t> dense = dense_strides(node.shape);
    const auto axis = static_cast<size_t>(node.attrs.axis);
    std::map<NodeId, std::pair<std::byte*, std::vector<int64_t>>> stores;
    int64_t offset = 0;
    for (NodeId input : node.inputs) {
      const Node& part = graph_.node(input);
      if (!is_member(input) || stores.contains(input) || context_.root_is_output(input) || context_.root_consumers(input) != member_reads(input) + 1)
        return false;
      stores.emplace(input, std::pair(context_.address(concat) + offset * dense[axis] * 4, squeezed_strides(part.shape, dense)));
      offset += part.shape[axis];
    }
    for (size_t reader_position = span_.start; reader_position < span_.end; ++reader_position) {
      const NodeId reader = order()[reader_position];
      if (!is_member(reader)) continue;
      if (!stores.contains(reader) && written(reader) && overlaps(concat, reader)) return false;
      for (NodeId input : graph_.node(reader).inputs) {
        const NodeId source = root(input);
        if (!is_member(source) && !is_folded(source) && overlaps(concat, source)) return false;
      }
    }
    for (const auto& [member, store] : stores) absorbed_.insert(member);
    stores_ = std::move(stores);
    concat_position_ = position;
    return true;
  }

  bool overlaps(NodeId a, NodeId b) const {
    const std::byte* a_begin = context_.address(a);
    const std::byte* b_begin = context_.address(b);
    return a_begin < b_begin + context_.bytes(b) && b_begin < a_begin + context_.bytes(a);
  }

  // Whether an outside value is read densely, at the chain's own positions.
  bool dense_operand(const Node& reader, NodeId input) const {
    const Shape& shape = graph_.node(input).shape;
    return reader.op != Op::Slice && reader.op != Op::Broadcast && element_count(shape) == count_ && squeezed(shape) == shape_;
  }

  // One pass of checks; false when the chain had to end earlier: at a fill that members and
  // others both read (it must run first), or at a member whose store is unsafe.
  bool settle() {
    members_ = 0;
    size_t end = span_.first_unsafe_store();
    for (size_t position = span_.start; position < end; ++position) {
      const NodeId id = order()[position];
      if (is_alias(id)) continue;
      if (is_fill(id)) {
        const int reads = member_reads(id);
        if (reads > 0 && (context_.root_is_output(id) || reads != context_.root_consumers(id))) end = position;
        continue;
      }
      ++members_;
    }
    if (end < span_.end) return shrink(end);
    while (span_.end > span_.start && !is_member(order()[span_.end - 1])) --span_.end;  // trailing aliases and fills add nothing
    return true;
  }

  bool shrink(size_t position) {
    span_.end = position;
    return false;
  }

  PointwiseRef slot() {
    if (slots_ >= max_pointwise_slots) throw SlotsExhausted{};
    return {nullptr, slots_++};
  }

  // Where a member's value lives: its buffer when something else reads it, else a slot.
  PointwiseRef value_ref(NodeId id) {
    auto it = refs_.find(id);
    if (it != refs_.end()) return it->second;
    PointwiseRef ref = written(id) ? PointwiseRef{reinterpret_cast<float*>(context_.address(id)), -1} : slot();
    return refs_.emplace(id, ref).first->second;
  }

  PointwiseRef constant_ref(float value) {
    auto it = constants_.find(std::bit_cast<uint32_t>(value));  // by bits: NaN is a value like any other
    if (it != constants_.end()) return {nullptr, it->second};
    PointwiseRef ref = slot();
    constants_.emplace(std::bit_cast<uint32_t>(value), ref.slot);
    program_.constants.push_back({value, ref.slot});
    return ref;
  }

  // A strided read, gathered into a slot at the start of each block.
  PointwiseRef load(const std::byte* base, const std::vector<int64_t>& strides) {
    PointwiseRef into = slot();
    program_.loads.push_back({reinterpret_cast<const float*>(base), make_strided_loop<1>(shape_, {strides}, "pointwise fusion"), into});
    return into;
  }

  // An operand from outside: read in place when dense, else gathered.
  PointwiseRef outside_ref(const Node& reader, NodeId input) {
    if (dense_operand(reader, input)) return {reinterpret_cast<float*>(context_.address(input)), -1};
    return load(context_.address(input), squeezed_strides(reader.shape, broadcast_strides(graph_.node(input).shape, reader.shape)));
  }

  // A slice or broadcast member: its strided read, and a copy to its buffer if others read it.
  void strided_member(NodeId id, const Node& node) {
    const Node& input = graph_.node(node.inputs[0]);
    PointwiseRef gathered;
    if (const NodeId source = root(node.inputs[0]); is_folded(source)) {
      gathered = constant_ref(static_cast<float>(graph_.node(source).attrs.value));  // a fill's slice is the fill
    } else {
      const std::byte* base = context_.address(node.inputs[0]);
      std::vector<int64_t> strides;
      if (node.op == Op::Slice) {
        std::vector<int64_t> dense = dense_strides(input.shape);
        base += node.attrs.begin * dense.at(static_cast<size_t>(node.attrs.axis)) * 4;
        strides = squeezed_strides(node.shape, dense);
      } else {
        strides = squeezed_strides(node.shape, broadcast_strides(input.shape, node.shape));
      }
      gathered = load(base, strides);
    }
    // Gathers run before the block's first op, so one whose value is written goes through a
    // slot and a copy at its own place in the chain: writing earlier could overwrite bytes an
    // earlier member still reads.
    if (written(id)) {
      PointwiseRef memory{reinterpret_cast<float*>(context_.address(id)), -1};
      program_.instructions.push_back({PointwiseOp::Copy, 1, {gathered, {}, {}}, memory});
    }
    refs_.emplace(id, gathered);
  }

  void store(NodeId id) {
    auto it = stores_.find(id);
    if (it == stores_.end()) return;
    program_.stores.push_back({reinterpret_cast<float*>(it->second.first), make_strided_loop<1>(shape_, {it->second.second}, "pointwise fusion"), refs_.at(id)});
  }

  // Builds the program; on running out of slots, the position to end the chain at instead.
  std::optional<size_t> assemble() {
    program_ = {};
    refs_.clear();
    constants_.clear();
    slots_ = 0;
    name_ = fmt::format("pointwise f32{} of", shape_string(graph_.node(order()[span_.start]).shape));
    for (size_t position = span_.start; position < span_.end; ++position) {
      const NodeId id = order()[position];
      const Node& node = graph_.node(id);
      if (!is_member(id)) continue;
      name_ += fmt::format(" {}", op_name(node.op));
      try {
        if (node.op == Op::Slice || node.op == Op::Broadcast) {
          strided_member(id, node);
          store(id);
          continue;
        }
        PointwiseInstruction instruction{*pointwise_op(node.op), static_cast<int>(node.inputs.size()), {}, {}};
        for (size_t k = 0; k < node.inputs.size(); ++k) {
          const NodeId input = node.inputs[k];
          const NodeId source = root(input);
          if (is_member(source)) instruction.inputs[k] = value_ref(source);
          else if (is_folded(source)) instruction.inputs[k] = constant_ref(static_cast<float>(graph_.node(source).attrs.value));
          else instruction.inputs[k] = outside_ref(node, input);
        }
        instruction.output = value_ref(id);
        program_.instructions.push_back(instruction);
        store(id);
      } catch (const SlotsExhausted&) {
        return position;
      }
    }
    program_.slots = slots_;
    return std::nullopt;
  }

  struct SlotsExhausted {};

  const CompileContext& context_;
  const Graph& graph_;
  const Plan& plan_;
  PointwiseSpan span_;
  Shape shape_;
  int64_t count_ = 0;
  int members_ = 0;
  std::map<NodeId, PointwiseRef> refs_;
  std::map<uint32_t, int> constants_;
  int slots_ = 0;
  PointwiseProgram program_;
  std::string name_;
  std::set<NodeId> absorbed_;  // members written into the concat after the chain
  std::map<NodeId, std::pair<std::byte*, std::vector<int64_t>>> stores_;  // where, and the strides
  std::optional<size_t> concat_position_;
};

}  // namespace

std::optional<FusedKernel> fuse_pointwise(const CompileContext& context, size_t position) {
  if (!context.pointwise_chains()) return std::nullopt;
  return ChainBuilder(context, position).build();
}

}  // namespace heed::cpu
