#pragma once
// Fusion is decided once, in the core (DESIGN.md, decision 11): this pass over the planned graph
// picks the groups of nodes that one kernel runs and checks, here and nowhere else, that running
// them as one stays safe with the planner's reuse of memory. A backend declares what it can
// lower (FusionCapabilities) and lowers the groups it is given. Groups so far: a matmul with a
// bias and activation epilogue or a later accumulate, the masked, scaled softmax
// (masked_softmax_pattern.hpp), and an attention that also writes its rows' statistics. Pointwise chains are still matched by each backend, after these
// groups and around the positions they cover.
#include <heed/backend/masked_softmax_pattern.hpp>
#include <heed/backend/plan.hpp>

#include <map>
#include <optional>
#include <vector>

namespace heed {

// How the scheduled nodes read each value, counted once for every fusion decision.
class ValueUses {
 public:
  ValueUses(const Graph& graph, const Plan& plan);
  // Scheduled nodes that read `id` itself (a reshape of it included), and whether the graph keeps it.
  int direct_readers(NodeId id) const { return direct_[static_cast<size_t>(id)]; }
  bool kept(NodeId id) const { return kept_[static_cast<size_t>(id)] != 0; }
  // The same for the storage `id` has (its alias root): reads by nodes that run a kernel, and
  // whether any value with those bytes is kept. A group may leave unwritten only a value nobody
  // else sees.
  int root_readers(NodeId id) const { return root_readers_[static_cast<size_t>(plan_.root(id))]; }
  bool root_kept(NodeId id) const { return root_kept_[static_cast<size_t>(plan_.root(id))] != 0; }
  // Where a node runs in the schedule; -1 if it does not.
  int64_t position(NodeId id) const { return positions_[static_cast<size_t>(id)]; }
  // Whether two values' bytes may overlap: both in the arena, with intersecting ranges (storage
  // of any other kind is a buffer of its own).
  bool overlap(NodeId a, NodeId b) const;
  // Whether they start at the same arena byte.
  bool same_start(NodeId a, NodeId b) const;

 private:
  const Plan& plan_;
  std::vector<int> direct_, root_readers_;
  std::vector<char> kept_, root_kept_;
  std::vector<int64_t> positions_;
};

// What a backend can run as one kernel.
struct FusionCapabilities {
  bool bias_epilogue = false;  // a bias over the columns added in a matmul's kernel
  std::vector<Op> epilogue_activations;  // after the bias, in the same kernel
  bool epilogue_stores_sum = false;  // also writes the sum before the activation, when others read it
  // The product may be written to the matmul's own bytes and moved into place afterwards, when
  // the group's result would overlap an operand.
  bool epilogue_staged = false;
  bool accumulate_epilogue = false;  // matmul ... add(matmul, other): the add in the product's kernel
  size_t masked_softmax_masks = 0;   // masks a softmax kernel applies; 0: no masked softmax
  // The most axes over which the masks' rows are walked, once axes that every mask walks
  // contiguously are merged.
  size_t masked_softmax_mask_axes = 64;
  bool attention_statistics = false;  // an attention's kernel also writes its rows' statistics
};

// matmul -> add(bias over the columns) [-> reshape] [-> activation], each the next node of the
// schedule; or matmul ... add(matmul, other) a few nodes later, `other` of the product's shape
// and computed before the matmul. The kernel runs at the matmul's position and writes `result`
// (and `sum`) there, before the nodes it stands for would have run.
struct MatmulGroup {
  enum class Epilogue { bias, accumulate };
  Epilogue epilogue = Epilogue::bias;
  NodeId matmul = -1;
  NodeId addend = -1;  // the bias, or the other summand
  std::optional<Op> activation;
  NodeId result = -1;  // the value the kernel writes: the activation's, else the add's
  NodeId sum = -1;     // the add, written too when others read it beside the activation; else -1
  bool staged = false;  // the product goes to the matmul's bytes first, then moves to the result's
  std::vector<size_t> covered;  // the positions of the nodes it stands for, besides the matmul's
};

// An Attention and, at the next position (the planner puts them there), the AttentionStatistics
// that describes it: the forward's kernel writes both.
struct AttentionGroup {
  NodeId attention = -1;
  NodeId statistics = -1;
};

struct KernelGroups {
  std::map<size_t, MatmulGroup> matmuls;          // by the matmul's position
  std::map<size_t, MaskedSoftmax> masked_softmaxes;  // by the softmax's position
  std::map<size_t, AttentionGroup> attentions;       // by the attention's position
  std::vector<char> covered;  // per position: a group's kernel at another position does its work

  bool is_covered(size_t position) const { return covered[position] != 0; }
};

// With `fusion` off, no groups: every node runs as its own kernel.
KernelGroups plan_kernel_groups(const Graph& graph, const Plan& plan, const ValueUses& uses, const FusionCapabilities& capabilities,
                                bool fusion);

}  // namespace heed
