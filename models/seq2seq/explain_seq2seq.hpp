#pragma once
// seq2seq's explanations: each output step's attention over the input as it is, or weighted by
// its gradient with respect to the logit of the token chosen there, (a * da)^+ normalised per
// step. Its attention is one layer, so it has no rollout.
#include <heed/models/model.hpp>
#include <heed/train/explanation.hpp>

namespace heed::models {

// [T, S] row-major for the first example of a run of `model` (an explanation graph unless the
// method is attention).
std::vector<float> seq2seq_relevance(Program& program, const BuiltModel& model, train::ExplainMethod method);

}  // namespace heed::models
