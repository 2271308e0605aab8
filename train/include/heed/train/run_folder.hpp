#pragma once
// A run folder, runs/<model>-<YYYYmmdd-HHMMSS>/, holds
//   model.safetensors     the parameters under PyTorch's names, metadata model + config: what
//                         eval, predict and torch_models.load_model read;
//   training.safetensors  everything --resume needs: parameters, optimiser states, optim.hyper,
//                         random.counter, the step, the data position and the run settings;
//   metrics.jsonl         one JSON object per evaluation, the last one marked "final".
#include <filesystem>
#include <string_view>

namespace heed::train {

inline constexpr const char* model_file = "model.safetensors";
inline constexpr const char* training_file = "training.safetensors";
inline constexpr const char* metrics_file = "metrics.jsonl";

// runs/<model>-<local time>, with -2, -3... appended if that name is taken. Not created yet.
std::filesystem::path new_run_folder(const std::filesystem::path& runs, std::string_view model);

// The newest folder under `runs` that holds a training checkpoint, of `model` if not empty;
// a heed::Error saying what was looked for when there is none.
std::filesystem::path latest_run_folder(const std::filesystem::path& runs, std::string_view model);

}  // namespace heed::train
