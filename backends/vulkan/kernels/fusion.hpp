#pragma once
// The kernel groups of a program as this backend lowers them: the core's pass
// (heed/backend/kernel_groups.hpp) picks matmul epilogues, masked softmaxes and attentions that
// write their statistics within what the shaders can do; runs of pointwise nodes become one dispatch of pointwise.comp here
// (pointwise_chain.cpp). CompileOptions::fusion off: every node its own dispatch.
#include <heed/backend.hpp>
#include <heed/backend/kernel_groups.hpp>
#include <heed/graph.hpp>

#include <optional>
#include <span>

namespace heed::vulkan {

class Fusion;
class Lowering;
// A run of pointwise nodes from plan.order[position] on as one dispatch of pointwise.comp:
// emitted with the dispatches of the fills inside it that others read; returns the last position
// it covers, or nothing where no chain of two or more starts there.
std::optional<size_t> lower_pointwise_chain(Lowering& lowering, const Fusion& fusion, const Plan& plan, size_t position);

class Fusion {
 public:
  Fusion(const Graph& graph, const Plan& plan, const CompileOptions& options);

  bool chains_enabled() const { return chains_enabled_; }
  // The groups that run at this position, and whether a group at another position does this one's work.
  const MatmulGroup* matmul_group(size_t position) const;
  const MaskedSoftmax* masked_softmax(size_t position) const;
  const AttentionGroup* attention_group(size_t position) const;
  bool absorbed(size_t position) const { return groups_.is_covered(position); }

  // How the schedule reads each value, and the positions a group covers (no chain takes them).
  const ValueUses& uses() const { return uses_; }
  std::span<const char> covered() const { return groups_.covered; }

 private:
  ValueUses uses_;
  KernelGroups groups_;
  bool chains_enabled_;
};

}  // namespace heed::vulkan
