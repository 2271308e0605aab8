#pragma once
// Evaluation and prediction run their own inference graph (no loss; seq2seq greedy), compiled at
// their own batch size, with the parameters written in from a training program or a checkpoint.
#include <heed/train/task.hpp>

namespace heed::train {

struct InferenceModel {
  BuiltModel model;
  Program program;
};

// `share_with`: a program of the same model (the training program) whose parameters the inference
// program uses as its own, so that it always sees the latest values without a copy; it replaces
// options.share_persistent_values.
InferenceModel compile_inference(const Task& task, Backend& backend, CompileOptions options, int64_t batch, bool with_attention,
                                 Program* share_with = nullptr);

}  // namespace heed::train
