// `heed-train predict`: one input through a saved model, its answer and its attention in the
// terminal, as JSON, or as a PNG picture.
#include "attention_picture.hpp"
#include "backend_choice.hpp"
#include "checkpoint_source.hpp"
#include "commands.hpp"
#include "png_file.hpp"
#include "prediction.hpp"
#include "terminal_heatmap.hpp"

namespace heed::trainer {

int run_predict(const PredictOptions& options) {
  CheckpointSource source = open_checkpoint(options.checkpoint, options.model);
  if (options.generate < 0 || options.top_k < 0) fail("--generate and --top-k must not be negative");
  if (options.generate > 0 && source.model != "charlm") fail("--generate: only charlm generates text; this checkpoint holds {}", source.model);
  if (!options.input.empty() && options.index >= 0) fail("--input and --index: give one of them, not both");
  std::string data = options.data.empty() ? source.data : options.data;
  auto task = make_task(source.model, {.config_json = source.config, .data = {}, .seed = 0});  // data is read by the predictor alone
  auto backend = open_backend(options.common.backend, options.common.device);
  InferenceModel inference = compile_inference(*task, *backend, options.common.threads, 1, true);
  load_parameters(source, inference);

  Prediction prediction = source.model == "seq2seq" ? predict_dates(inference, options)
                          : source.model == "charlm" ? predict_charlm(inference, options, data)
                                                     : predict_vit(inference, options, data);
  if (options.json) {
    fmt::print("{}\n", prediction.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    for (const std::string& note : prediction.notes) fmt::print("{}\n", note);
    fmt::print("output   {}\n", prediction.output);
    bool colour = stdout_takes_colour();
    for (const AttentionMap& map : prediction.maps) fmt::print("\n{}", render_terminal(map, colour));
  }
  if (!options.png.empty()) {
    std::string caption = source.model == "seq2seq" ? prediction.maps.front().title
                          : source.model == "vit"   ? fmt::format("vit: {} - CLS attention by layer", prediction.output)
                                                    : prediction.maps.front().title;
    Image picture = render_prediction(prediction, caption);
    write_png(options.png, picture);
    // On stderr, so that --json output stays one JSON object.
    fmt::print(stderr, "wrote {} ({} x {} pixels)\n", options.png, picture.width(), picture.height());
  }
  return 0;
}

}  // namespace heed::trainer
