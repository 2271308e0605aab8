#pragma once
// The models heed-train, heed-bench and a user's own program know: each registers its name, what
// it learns, its defaults, its graph builder and its task once, and every tool reads them from
// here. The reference models register with heed::models::register_reference_models(); a user's
// program registers its own before handing its command line to heed::train::run_command_line.
#include <heed/train/task.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace heed::train {

// What `heed-train train` does for a flag that is not given.
struct ModelDefaults {
  int64_t steps = 0;       // training steps (0: counted from epochs)
  int64_t epochs = 0;      // passes over the training set, for models whose task has epochs
  int64_t batch = 0;       // also heed-bench's training batch
  double lr = 0;           // the peak learning rate of AdamW
  int64_t warmup = 0;      // steps of linear warm-up
  int64_t eval_every = 0;  // 0: only at the end
  int64_t eval_batch = 0;  // batch of the inference graph evaluation compiles
};

struct ModelRegistration {
  std::string name;
  std::string task;        // what it learns, for --help and messages
  std::string metric;      // the held-out metric eval reports
  std::string data_help;   // what --data takes
  std::string input_help;  // what predict --input takes
  std::string valid_help;  // what train --valid takes; empty: the model takes no --valid
  ModelDefaults defaults;
  // The model's graph at a configuration (JSON text; empty: the reference one).
  std::function<BuiltModel(const std::string& config_json, const BuildOptions& options)> build;
  std::function<std::unique_ptr<Task>(TaskOptions options)> make_task;
  // The analytic matmul FLOPs of one forward pass at `batch` (heed-bench's GFLOP/s; a training
  // step counts three times this). Empty where not counted.
  std::function<int64_t(const std::string& config_json, int64_t batch)> forward_matmul_flops;
};

// Adds a model. A missing name, builder or task, or a name already registered, is a heed::Error.
void register_model(ModelRegistration registration);

// Every registered model, in the order registered.
std::vector<const ModelRegistration*> registered_models();
// The model called `name`; an unknown name is a heed::Error listing the registered models.
const ModelRegistration& find_model(std::string_view name);
std::string model_names();  // "seq2seq, charlm, vit"

// The task of a registered model.
std::unique_ptr<Task> make_task(std::string_view model, TaskOptions options);

}  // namespace heed::train
