// classify as the training API knows it: labelled texts, by default four fortune categories.
#include "text_classes_task.hpp"

#include <heed/models/config.hpp>
#include <heed/models/reference_models.hpp>

namespace heed::models {

namespace {

ClassifyConfig parse(const std::string& json) { return json.empty() ? ClassifyConfig{} : classify_config(json); }

int64_t product(int64_t m, int64_t n, int64_t k) { return 2 * m * n * k; }

int64_t forward_matmul_flops(const ClassifyConfig& c, int64_t batch) {
  const int64_t L = c.context, d = c.width, F = c.features();
  int64_t per = 0;
  if (c.encoder == TextEncoder::transformer) {
    per += c.layers * (product(L, 3 * d, d) + product(L, d, d) + product(L, c.mlp, d) + product(L, d, c.mlp) + 2 * product(L, L, d));
  } else {
    per += 2 * L * (product(1, 4 * c.hidden, d) + product(1, 4 * c.hidden, c.hidden));
  }
  per += product(L, c.attention, F) + product(L, 1, c.attention) + product(1, F, L) + product(1, c.classes(), F);
  return batch * per;
}

}  // namespace

// The defaults reach their accuracy in a few minutes on a 2-core CPU (README).
train::ModelRegistration classify_registration() {
  return {.name = "classify",
          .task = "text classes: fortunes by category, or any label<TAB>text file",
          .metric = "accuracy on the held-out texts, against always answering the majority class",
          .data_help = "a UTF-8 file of label<TAB>text lines (default: the fortunes of computers, definitions, politics and songs-poems)",
          .input_help = "a text to classify",
          .valid_help = "a label<TAB>text file (default: a fixed tenth of --data)",
          .defaults = {.steps = 0, .epochs = 8, .batch = 32, .lr = 2e-3, .warmup = 100, .eval_every = 0, .eval_batch = 128},
          .build = [](const std::string& config, const BuildOptions& options) { return build_classify(parse(config), options); },
          .make_task = make_text_classes_task,
          .forward_matmul_flops = [](const std::string& config, int64_t batch) { return forward_matmul_flops(parse(config), batch); }};
}

}  // namespace heed::models
