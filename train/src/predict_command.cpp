// `<program> predict`: one input through a saved model, its answer and its attention in the
// terminal, as JSON, or as a PNG picture.
#include "commands.hpp"

#include <heed/error.hpp>
#include <heed/train/attention_picture.hpp>
#include <heed/train/backend_choice.hpp>
#include <heed/train/checkpoint_source.hpp>
#include <heed/train/explanation.hpp>
#include <heed/train/png_file.hpp>
#include <heed/train/prediction.hpp>
#include <heed/train/registry.hpp>
#include <heed/train/terminal_heatmap.hpp>

namespace heed::train {

int run_predict(const PredictOptions& options) {
  CheckpointSource source = open_checkpoint(options.checkpoint, options.model);
  PredictRequest request = options.request;
  if (request.generate < 0 || request.top_k < 0) fail("--generate and --top-k must not be negative");
  if (!request.input.empty() && request.index >= 0) fail("--input and --index: give one of them, not both");
  if (request.data.empty()) request.data = source.data;
  // The data is read by predict alone (request.data), and only for --index.
  auto task = make_task(source.model, {.config_json = source.config, .data = {}, .held_out = source.valid, .seed = 0});
  auto backend = open_backend(options.common.backend, options.common.device);
  InferenceModel inference = request.explain == "attention" ? compile_inference(*task, *backend, options.common.compile, 1, true)
                                                             : compile_explanation(*task, *backend, options.common.compile, 1);
  load_parameters(source, inference);

  Prediction prediction = task->predict(inference.program, inference.model, request);
  if (options.json) {
    fmt::print("{}\n", prediction.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    for (const std::string& note : prediction.notes) fmt::print("{}\n", note);
    fmt::print("output   {}\n", prediction.output);
    bool colour = stdout_takes_colour();
    for (const AttentionMap& map : prediction.maps) fmt::print("\n{}", render_terminal(map, colour));
  }
  if (!options.png.empty()) {
    if (prediction.maps.empty()) fail("--png: the {} model's prediction has no attention map to draw", source.model);
    std::string caption = prediction.caption.empty() ? prediction.maps.front().title : prediction.caption;
    Image picture = render_prediction(prediction, caption);
    write_png(options.png, picture);
    // On stderr, so that --json output stays one JSON object.
    fmt::print(stderr, "wrote {} ({} x {} pixels)\n", options.png, picture.width(), picture.height());
  }
  report_profile(options.common, inference.program);
  return 0;
}

}  // namespace heed::train
