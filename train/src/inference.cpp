#include <heed/train/inference.hpp>

namespace heed::train {

InferenceModel compile_inference(const Task& task, Backend& backend, CompileOptions options, int64_t batch, bool with_attention,
                                 Program* share_with) {
  BuiltModel model = task.build_inference(batch, with_attention);
  options.share_persistent_values = share_with;
  Program program = backend.compile(*model.graph, options);
  return {std::move(model), std::move(program)};  // the graph lives on the heap: the program's pointer stays valid
}

}  // namespace heed::train
