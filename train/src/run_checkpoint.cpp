#include <heed/train/run_checkpoint.hpp>

#include <heed/train/run_folder.hpp>

#include <heed/error.hpp>

#include <bit>

namespace heed::train {

namespace {

// Trainer values stored beside the graph's own. 64-bit counts go in two i32 words (low, high):
// safetensors here holds F32 and I32 only.
constexpr const char* step_key = "trainer.step";
constexpr const char* samples_key = "trainer.samples";
constexpr const char* loss_sum_key = "trainer.loss_sum";  // the double's bits
constexpr const char* loss_count_key = "trainer.loss_count";
constexpr const char* run_key = "run";

HostTensor words(uint64_t value) {
  return HostTensor({2}, std::vector<int32_t>{static_cast<int32_t>(static_cast<uint32_t>(value)),
                                              static_cast<int32_t>(static_cast<uint32_t>(value >> 32))});
}

uint64_t from_words(const Safetensors& file, const std::string& key, const std::filesystem::path& path) {
  auto found = file.tensors.find(key);
  if (found == file.tensors.end() || found->second.dtype() != i32 || found->second.size() != 2)
    fail("{}: '{}' is missing or is not two i32 words; this is not a training checkpoint of heed's training API", path.string(), key);
  auto values = found->second.i32();
  return static_cast<uint64_t>(static_cast<uint32_t>(values[0])) | (static_cast<uint64_t>(static_cast<uint32_t>(values[1])) << 32);
}

}  // namespace

void save_run(const std::filesystem::path& folder, Program& program, Graph& graph, const RunSettings& settings,
              const TrainingPosition& position) {
  std::filesystem::create_directories(folder);
  Metadata model_metadata{{metadata_model_key, settings.model},
                          {metadata_config_key, settings.config},
                          {"step", std::to_string(position.step)}};
  if (!settings.data.empty()) model_metadata["data"] = settings.data;
  if (!settings.valid.empty()) model_metadata["valid"] = settings.valid;
  save_checkpoint(program, graph.parameters(), folder / model_file, model_metadata);

  std::map<std::string, HostTensor> tensors;
  for (const Tensor& value : graph.persistent_values()) tensors[value.name()] = program.read(value);
  tensors[step_key] = words(static_cast<uint64_t>(position.step));
  tensors[samples_key] = words(position.samples);
  tensors[loss_sum_key] = words(std::bit_cast<uint64_t>(position.loss_sum));
  tensors[loss_count_key] = words(static_cast<uint64_t>(position.loss_count));
  Metadata training_metadata = model_metadata;
  training_metadata[run_key] = settings_json(settings);
  save_safetensors(folder / training_file, tensors, training_metadata);
}

RunSettings read_run_settings(const std::filesystem::path& folder) {
  std::filesystem::path path = folder / training_file;
  if (!std::filesystem::exists(path))
    fail("--resume: {} does not exist; {} holds no run to continue", path.string(), folder.string());
  Safetensors file = load_safetensors(path);
  auto run = file.metadata.find(run_key);
  if (run == file.metadata.end()) fail("{}: no run settings in its metadata; this is not a training checkpoint of heed's training API", path.string());
  return parse_settings(run->second, path.string());
}

TrainingPosition restore_run(const std::filesystem::path& folder, Program& program, Graph& graph, const RunSettings& settings) {
  std::filesystem::path path = folder / training_file;
  load_checkpoint(program, graph.persistent_values(), path, {.model = settings.model, .allow_missing = false, .allow_unexpected = true});
  Safetensors file = load_safetensors(path);
  return {.step = static_cast<int64_t>(from_words(file, step_key, path)),
          .samples = from_words(file, samples_key, path),
          .loss_sum = std::bit_cast<double>(from_words(file, loss_sum_key, path)),
          .loss_count = static_cast<int64_t>(from_words(file, loss_count_key, path))};
}

}  // namespace heed::train
