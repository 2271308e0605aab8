// `<program> eval`: the held-out metric of a saved model.
#include "commands.hpp"

#include <heed/train/backend_choice.hpp>
#include <heed/train/checkpoint_source.hpp>
#include <heed/train/explanation.hpp>
#include <heed/train/registry.hpp>

namespace heed::train {

int run_eval(const EvalOptions& options) {
  CheckpointSource source = open_checkpoint(options.checkpoint, options.model);
  // --data is what to measure: a model with a held-out file (valid_help) measures all of it, the
  // others read it as their data and measure their own held-out part of it.
  bool measures_file = !find_model(source.model).valid_help.empty();
  auto task = make_task(source.model, {.config_json = source.config,
                                       .data = options.data.empty() || measures_file ? source.data : options.data,
                                       .held_out = options.data.empty() ? source.valid : options.data,
                                       .seed = 0});
  auto backend = open_backend(options.common.backend, options.common.device);
  int64_t batch = options.batch > 0 ? options.batch : find_model(source.model).defaults.eval_batch;
  InferenceModel inference = options.faithfulness ? compile_explanation(*task, *backend, options.common.compile, batch)
                                                  : compile_inference(*task, *backend, options.common.compile, batch, false);
  load_parameters(source, inference);
  Evaluation evaluation = options.faithfulness ? task->faithfulness(inference.program, inference.model, options.limit)
                                               : task->evaluate(inference.program, inference.model, options.limit);
  if (options.json) {
    nlohmann::json record = {{"model", source.model}, {"checkpoint", source.file.string()}, {"metric", evaluation.metric},
                             {"value", evaluation.value}};
    if (!source.step.empty()) record["step"] = std::stoll(source.step);
    record.update(evaluation.values);
    fmt::print("{}\n", record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("{} {}{}: {}\n", source.model, source.file.string(), source.step.empty() ? "" : fmt::format(" (step {})", source.step),
               evaluation.summary);
  }
  report_profile(options.common, inference.program);
  return 0;
}

}  // namespace heed::train
