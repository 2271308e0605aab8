#include "fusion.hpp"

#include "lowering.hpp"

namespace heed::vulkan {

namespace {

// matmul.comp's epilogue: a bias over the columns, then any activation heed_apply runs, storing
// the sum before it when others read it; softmax.comp's masked rows; attention.comp's statistics.
const FusionCapabilities& fusion_capabilities() {
  static const FusionCapabilities capabilities{.bias_epilogue = true,
                                               .epilogue_activations = {Op::Tanh, Op::Sigmoid, Op::Relu, Op::Gelu},
                                               .epilogue_stores_sum = true,
                                               .epilogue_staged = false,
                                               .accumulate_epilogue = false,
                                               .masked_softmax_masks = softmax_masks,
                                               .masked_softmax_mask_axes = softmax_mask_axes,
                                               .attention_statistics = true};
  return capabilities;
}

}  // namespace

Fusion::Fusion(const Graph& graph, const Plan& plan, const CompileOptions& options)
    : uses_(graph, plan),
      groups_(plan_kernel_groups(graph, plan, uses_, fusion_capabilities(), options.fusion)),
      chains_enabled_(options.fusion && options.pointwise_chains) {}

const MatmulGroup* Fusion::matmul_group(size_t position) const {
  auto found = groups_.matmuls.find(position);
  return found == groups_.matmuls.end() ? nullptr : &found->second;
}

const MaskedSoftmax* Fusion::masked_softmax(size_t position) const {
  auto found = groups_.masked_softmaxes.find(position);
  return found == groups_.masked_softmaxes.end() ? nullptr : &found->second;
}

const AttentionGroup* Fusion::attention_group(size_t position) const {
  auto found = groups_.attentions.find(position);
  return found == groups_.attentions.end() ? nullptr : &found->second;
}

}  // namespace heed::vulkan
