// charlm as the training API knows it (shared/MODELS.md section 2, task text).
#include "text_task.hpp"

#include <heed/models/config.hpp>
#include <heed/models/reference_models.hpp>

namespace heed::models {

namespace {

CharLMConfig parse(const std::string& json) { return json.empty() ? CharLMConfig{} : charlm_config(json); }

int64_t product(int64_t m, int64_t n, int64_t k) { return 2 * m * n * k; }

// Counted exactly as shared/bench/torch_models.forward_matmul_flops counts them.
int64_t forward_matmul_flops(const CharLMConfig& c, int64_t batch) {
  const int64_t T = c.context, d = c.width;
  int64_t layer = product(T, 3 * d, d) + product(T, d, d) + product(T, c.mlp, d) + product(T, d, c.mlp) + 2 * product(T, T, d);
  return batch * (c.layers * layer + product(T, c.vocab, d));
}

}  // namespace

train::ModelRegistration charlm_registration() {
  return {.name = "charlm",
          .task = "text: next byte of the fortunes corpus",
          .metric = "bits per byte on the held-out last 5 %",
          .data_help = "Debian's fortunes, or a text file or a folder of fortune files",
          .input_help = "a prompt",
          .defaults = {.steps = 1000, .epochs = 0, .batch = 32, .lr = 3e-3, .warmup = 100, .eval_every = 250, .eval_batch = 32},
          .build = [](const std::string& config, const BuildOptions& options) { return build_charlm(parse(config), options); },
          .make_task = make_text_task,
          .forward_matmul_flops = [](const std::string& config, int64_t batch) { return forward_matmul_flops(parse(config), batch); }};
}

}  // namespace heed::models
