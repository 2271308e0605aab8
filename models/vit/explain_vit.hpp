#pragma once
// vit's explanations over its patches: the last layer's CLS attention, its rollout through the
// layers, or Chefer's gradient-weighted accumulation, all read from the CLS token's row
// (heed/train/explanation.hpp); and how faithful each is: the drop of the predicted class's
// probability when its top patches are blanked (set to the normalised mean, 0).
#include <heed/models/vit.hpp>
#include <heed/train/explanation.hpp>

#include <functional>

namespace heed::models {

// The relevance of each patch of `example` (summing to 1), from an explanation program's
// attention maps and gradients read with train::read_all.
std::vector<float> vit_relevance(const std::vector<HostTensor>& maps, const std::vector<HostTensor>& gradients, train::ExplainMethod method,
                                 int64_t example);

// Faithfulness over `count` held-out pictures; `picture(index, out)` appends picture `index` as
// the model reads it.
train::Evaluation vit_faithfulness(Program& program, const BuiltModel& model, const ViTConfig& config, int64_t count,
                                   const std::function<void(int64_t, std::vector<float>&)>& picture);

}  // namespace heed::models
