#pragma once
// One picture through vit: every class's probability and the CLS token's attention of each
// layer (averaged over heads) over the patches, laid over the picture.
#include <heed/models/model.hpp>
#include <heed/train/explanation.hpp>

#include <span>
#include <string>
#include <vector>

namespace heed::models {

// `input` is the picture as the model reads it; `picture` the same [side, side] in [0, 1] for
// people (grey). `label` >= 0: the held-out picture `index`'s true class. With a method other
// than attention, `model` is an explanation graph and one map shows the method's relevance.
train::Prediction vit_prediction(Program& program, const BuiltModel& model, std::span<const float> input, std::vector<float> picture,
                                 int side, const std::vector<std::string>& labels, int32_t label, int64_t index,
                                 train::ExplainMethod method);

}  // namespace heed::models
