#pragma once
// Lowering nodes into dispatches: one function per op family (kernels/<family>.cpp), chosen by
// op in lowering.cpp. A lowering function reads the node and its inputs' locations, picks
// workgroup and tile sizes from the device's limits, and emits dispatches.
#include "../device.hpp"
#include "dispatch.hpp"

#include <heed/graph.hpp>
#include <heed/backend/kernel_groups.hpp>

#include <optional>

namespace heed::vulkan {

class Lowering {
 public:
  Lowering(const Graph& graph, const DeviceInfo& device, MemoryLayout& layout, std::vector<Dispatch>& out,
           std::vector<HostCollective>& collectives)
      : graph_(graph), device_(device), layout_(layout), out_(out), collectives_(collectives) {}

  const Graph& graph() const { return graph_; }
  const DeviceInfo& device() const { return device_; }
  const Node& input_node(const Node& node, size_t i) const { return graph_.node(node.inputs.at(i)); }
  Slot value(NodeId id) const { return layout_.value(id); }
  Slot input(const Node& node, size_t i) const { return layout_.value(node.inputs.at(i)); }
  Slot zero_word() const { return layout_.zero_word(); }
  Slot scratch(int64_t bytes) { return layout_.scratch(bytes); }
  Slot constant_words(std::vector<uint32_t> words) { return layout_.constant_words(std::move(words)); }
  void emit(Dispatch dispatch) { out_.push_back(std::move(dispatch)); }
  // The host does this node's work between the dispatches before and after it.
  void emit_host_collective(Slot input, Slot output) { collectives_.push_back({out_.size(), input, output}); }

  // Never more than 256 invocations: the shaders' shared arrays have fixed sizes for that.
  static constexpr uint32_t max_workgroup = 256;
  // Workgroup size for one-invocation-per-element shaders, within the device's limits.
  uint32_t elementwise_size() const;
  // Workgroup size for a workgroup-per-row shader: a power of two near the row's width.
  uint32_t row_size(int64_t width) const;
  // Groups for a grid-stride loop over `count` items with `size` per group (at least one).
  uint32_t groups_for(int64_t count, uint32_t size) const;
  uint32_t max_groups_x() const;
  // Whether to run the shaders' variants for CPU implementations (no shared memory; matmul.comp
  // and attention*.comp, MODE 1). HEED_VULKAN_GPU_VARIANTS=1 picks the GPUs' variants there too,
  // so that tests on lavapipe cover them.
  bool cpu_variants() const;

 private:
  const Graph& graph_;
  const DeviceInfo& device_;
  MemoryLayout& layout_;
  std::vector<Dispatch>& out_;
  std::vector<HostCollective>& collectives_;
};

using LowerFunction = void (*)(Lowering& lowering, const Node& node, NodeId id);

// The function that lowers `op`; null where the backend has none (compile then fails naming
// the op, through Backend::supports).
LowerFunction lowering_for(Op op);

// Family entry points (kernels/<family>.cpp).
void lower_creation(Lowering&, const Node&, NodeId);
void lower_unary(Lowering&, const Node&, NodeId);
// The shaders' number for an elementwise node (heed/backend/op_codes.hpp); a cast's depends on
// its input's dtype.
uint32_t kernel_code(const Node& node, DType input);
void lower_binary(Lowering&, const Node&, NodeId);
void lower_shape(Lowering&, const Node&, NodeId);
void lower_reduction(Lowering&, const Node&, NodeId);
void lower_matmul(Lowering&, const Node&, NodeId);
// A masked, scaled softmax as one dispatch of softmax.comp at the softmax (rows.cpp): at most
// two masks, whose rows it walks over at most four merged axes (its arrays).
inline constexpr size_t softmax_masks = 2, softmax_mask_axes = 4;
void lower_masked_softmax(Lowering& lowering, const Node& node, NodeId id, const MaskedSoftmax& pattern);
void lower_fused_matmul(Lowering&, const Node& matmul, const MatmulGroup& group);  // heed/backend/kernel_groups.hpp
void lower_rows(Lowering&, const Node&, NodeId);
void lower_embedding(Lowering&, const Node&, NodeId);
void lower_cross_entropy(Lowering&, const Node&, NodeId);
void lower_optimizer(Lowering&, const Node&, NodeId);
void lower_collective(Lowering&, const Node&, NodeId);
void lower_attention(Lowering&, const Node&, NodeId);
// An attention that also writes the statistics the core grouped with it.
void lower_attention_group(Lowering&, const Node&, const AttentionGroup&);

}  // namespace heed::vulkan
