#pragma once
// Runs of pointwise nodes over one shape (an LSTM cell's gates and their backward), the part of
// matching them that every backend shares: how far a run reaches from a position, which nodes
// of it are members, which members' values must still go to memory, and where the planner's
// reuse of bytes makes a run end early. Each backend then assembles the members into a program
// for its own kernel, within its own limits (scratch slots, registers, bindings).
#include <heed/backend/kernel_groups.hpp>

#include <functional>
#include <span>

namespace heed {

// The nodes of plan.order[start, end): members compute; aliases have no kernel; f32 fills
// (Full) are values the members may take as constants.
struct PointwiseSpan {
  const Graph& graph;
  const Plan& plan;
  const ValueUses& uses;
  size_t start = 0, end = 0;

  bool is_alias(NodeId id) const { return plan.values[static_cast<size_t>(id)].storage == Storage::Alias; }
  bool is_fill(NodeId id) const { return graph.node(id).op == Op::Full && graph.node(id).dtype == f32; }
  bool in_span(NodeId id) const;  // scheduled at a position of [start, end)
  bool is_member(NodeId id) const { return in_span(id) && !is_alias(id) && !is_fill(id); }
  bool is_folded(NodeId id) const { return in_span(id) && is_fill(id); }
  // Reads by members of the bytes `id` has (itself or a reshape of it).
  int member_reads(NodeId id) const;
  // Whether a value's bytes are kept or read by a node other than the members: then the run
  // must write it.
  bool read_outside(NodeId id) const { return uses.root_kept(id) || uses.root_readers(id) > member_reads(id); }
  // The first member whose value must be written into bytes that overlap a value the members at
  // or before it read from outside the run, other than as the same bytes read at the run's own
  // positions; `end` if there is none. A kernel that loads an element's operands before it
  // stores that element's results is safe with exactly that sharing (the planner makes it when
  // an operand's last reader writes a result); any other overlap must end the run before that
  // member.
  size_t first_unsafe_store() const;
};

// The furthest end of a run from `start` whose members `accepts` (f32 pointwise ops the backend
// can run), all of the first one's shape up to size-1 axes, at most `max_members` of them,
// ending before any position a kernel group covers; aliases and f32 fills may come in between.
// A slice or broadcast member reads its input through strides, at other positions than its own,
// so that input must come from before the run. Returns `start` when the first node is no member.
PointwiseSpan scan_pointwise_span(const Graph& graph, const Plan& plan, const ValueUses& uses, std::span<const char> covered, size_t start,
                                  const std::function<bool(const Node&)>& accepts, size_t max_members);

}  // namespace heed
