#include <heed/train/inference.hpp>

#include <heed/error.hpp>

namespace heed::train {

InferenceModel compile_inference(const Task& task, Backend& backend, int threads, int64_t batch, bool with_attention) {
  BuiltModel model = task.build_inference(batch, with_attention);
  Program program = backend.compile(*model.graph, {.threads = threads});
  return {std::move(model), std::move(program)};  // the graph lives on the heap: the program's pointer stays valid
}

void copy_parameters(Program& from, Graph& from_graph, InferenceModel& to) {
  for (const Tensor& parameter : to.model.parameters()) {
    std::optional<Tensor> source = from_graph.find(parameter.name());
    if (!source) fail("the inference graph's parameter '{}' is not in the training graph", parameter.name());
    to.program.write(parameter, from.read(*source));
  }
}

}  // namespace heed::train
