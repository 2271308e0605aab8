// vit as the training API knows it (shared/MODELS.md section 3, task Fashion-MNIST).
#include "fashion_task.hpp"
#include "image_folder_task.hpp"

#include <nlohmann/json.hpp>

#include <heed/models/config.hpp>
#include <heed/models/reference_models.hpp>

namespace heed::models {

namespace {

ViTConfig parse(const std::string& json) { return json.empty() ? ViTConfig{} : vit_config(json); }

// Fashion-MNIST unless the run names an image folder (--data) or was trained on one (class names).
std::unique_ptr<train::Task> make_task(train::TaskOptions options) {
  bool named_classes = !options.config_json.empty() && nlohmann::json::parse(options.config_json, nullptr, false).contains("labels");
  if (named_classes || is_image_folder(options.data)) return make_image_folder_task(std::move(options));
  return make_fashion_task(std::move(options));
}

int64_t product(int64_t m, int64_t n, int64_t k) { return 2 * m * n * k; }

// Counted exactly as shared/bench/torch_models.forward_matmul_flops counts them.
int64_t forward_matmul_flops(const ViTConfig& c, int64_t batch) {
  const int64_t T = c.patches() + 1, d = c.width, P = c.channels * c.patch * c.patch;
  int64_t layer = product(T, 3 * d, d) + product(T, d, d) + product(T, c.mlp, d) + product(T, d, c.mlp) + 2 * product(T, T, d);
  return batch * (c.layers * layer + product(c.patches(), d, P) + product(1, c.classes, d));
}

}  // namespace

train::ModelRegistration vit_registration() {
  return {.name = "vit",
          .task = "fashion-mnist: 10 clothing classes; or any folder of pictures, one subfolder per class",
          .metric = "accuracy on the 10 000 test images, or on the held-out pictures",
          .data_help = "the folder of Fashion-MNIST's four IDX files (/usr/share/datasets/fashion-mnist), or a folder with one "
                       "subfolder of PNG or JPEG pictures per class",
          .input_help = "a picture (PNG; also JPEG for a model trained on an image folder)",
          .valid_help = "a folder of pictures, one subfolder per class (default: DIR/test, else a fixed tenth of --data)",
          .defaults = {.steps = 0, .epochs = 5, .batch = 128, .lr = 2e-3, .warmup = 200, .eval_every = 469, .eval_batch = 500},
          .build = [](const std::string& config, const BuildOptions& options) { return build_vit(parse(config), options); },
          .make_task = make_task,
          .forward_matmul_flops = [](const std::string& config, int64_t batch) { return forward_matmul_flops(parse(config), batch); }};
}

}  // namespace heed::models
