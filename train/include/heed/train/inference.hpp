#pragma once
// Evaluation and prediction run their own inference graph (no loss; seq2seq greedy), compiled at
// their own batch size, with the parameters written in from a training program or a checkpoint.
#include <heed/train/task.hpp>

namespace heed::train {

struct InferenceModel {
  BuiltModel model;
  Program program;
};

InferenceModel compile_inference(const Task& task, Backend& backend, int threads, int64_t batch, bool with_attention);

// Copies every parameter of the inference graph from the program of another graph of the same
// model, matching them by name.
void copy_parameters(Program& from, Graph& from_graph, InferenceModel& to);

}  // namespace heed::train
