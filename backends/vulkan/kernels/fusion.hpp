#pragma once
// Patterns of the schedule that one dispatch runs in place of several (DESIGN.md: "a backend may
// offer a fused kernel for a pattern, chosen at compile time; the unfused graph stays the
// reference"). CompileOptions::fusion turns it off, to tell a fusion bug from a kernel bug.
#include "../memory_layout.hpp"

#include <heed/backend.hpp>
#include <heed/graph.hpp>
#include <heed/backend/masked_softmax_pattern.hpp>

#include <map>
#include <optional>
#include <set>

namespace heed::vulkan {

// A run of pointwise nodes from plan.order[position] on as one dispatch of pointwise.comp
// (pointwise_chain.cpp): emitted with the dispatches of the fills inside it that others read;
// returns the last position it covers, or nothing where no chain of two or more starts there.
class Fusion;
class Lowering;
std::optional<size_t> lower_pointwise_chain(Lowering& lowering, const Fusion& fusion, const Plan& plan, size_t position);

// matmul -> add(bias over the columns) [-> reshape] [-> tanh | sigmoid | relu | gelu], each the
// next node of the schedule: matmul.comp's epilogue adds the bias and applies the activation.
struct MatmulEpilogue {
  NodeId bias = -1;
  std::optional<Op> activation;
  NodeId result = -1;  // the value the dispatch writes: the activation's, else the add's
  NodeId sum = -1;     // the add, when others read it beside the activation: written too; else -1
  size_t absorbed = 0;  // schedule positions after the matmul's that the dispatch covers
};

class Fusion {
 public:
  Fusion(const Graph& graph, const Plan& plan, const MemoryLayout& layout, const CompileOptions& options);

  bool enabled() const { return enabled_; }
  // Pointwise chains alone can be turned off too (CompileOptions::pointwise_chains), so that
  // tests can see what the other fusions save.
  bool chains_enabled() const { return enabled_ && chains_enabled_; }
  // The epilogue the matmul at plan.order[position] can take over, if any.
  std::optional<MatmulEpilogue> matmul_epilogue(size_t position) const;
  // The masked, scaled softmax to dispatch at this position (heed/backend/masked_softmax_pattern.hpp),
  // and whether one dispatched later stands for the node at this position.
  const MaskedSoftmax* masked_softmax(size_t position) const;
  bool absorbed(size_t position) const { return absorbed_.contains(position); }

  // How many scheduled kernels read a value's bytes (through aliases), and whether the program
  // keeps them: a fused dispatch may only leave unwritten a value nobody else sees.
  int readers(NodeId id) const { return readers_[static_cast<size_t>(plan_.root(id))]; }
  bool kept(NodeId id) const { return kept_[static_cast<size_t>(plan_.root(id))] != 0; }
  bool overlap(NodeId a, NodeId b) const;

 private:

  const Graph& graph_;
  const Plan& plan_;
  const MemoryLayout& layout_;
  bool enabled_ = true;
  bool chains_enabled_ = true;
  std::vector<int> readers_;
  std::vector<char> kept_;
  std::map<size_t, MaskedSoftmax> masked_softmaxes_;
  std::set<size_t> absorbed_;
};

}  // namespace heed::vulkan
