#include <heed/error.hpp>
#include <heed/train/checkpoint_source.hpp>

#include <heed/train/registry.hpp>
#include <heed/train/run_folder.hpp>

#include <heed/checkpoint.hpp>

namespace heed::train {

CheckpointSource open_checkpoint(const std::string& path, const std::string& model_flag) {
  CheckpointSource source;
  std::error_code error;
  source.file = std::filesystem::is_directory(path, error) ? std::filesystem::path(path) / model_file : std::filesystem::path(path);
  if (!std::filesystem::exists(source.file, error))
    fail("--checkpoint {}: no such file{}", path,
         source.file.string() == path ? "" : fmt::format(" ({} is missing)", source.file.string()));
  Safetensors file = load_safetensors(source.file);  // a corrupt file fails here, naming what is wrong
  auto meta = [&](const char* key) {
    auto found = file.metadata.find(key);
    return found == file.metadata.end() ? std::string() : found->second;
  };
  source.model = meta(metadata_model_key);
  source.has_model_metadata = !source.model.empty();
  if (source.model.empty()) {
    if (model_flag.empty())
      fail("--checkpoint {}: its metadata does not say which model it holds; give --model ({})", source.file.string(),
           model_names());
    source.model = model_flag;
  } else if (!model_flag.empty() && model_flag != source.model) {
    fail("--checkpoint {} holds a {} model, not {} (--model)", source.file.string(), source.model, model_flag);
  }
  find_model(source.model);  // an unknown model name fails here, listing the models
  source.config = meta(metadata_config_key);
  source.data = meta("data");
  source.valid = meta("valid");
  source.step = meta("step");
  return source;
}

void load_parameters(const CheckpointSource& source, InferenceModel& inference) {
  // A training checkpoint also holds optimiser states: those are expected extras, nothing else is.
  bool training = source.file.filename() == training_file;
  load_checkpoint(inference.program, inference.model.parameters(), source.file,
                  {.model = source.has_model_metadata ? source.model : "", .allow_missing = false, .allow_unexpected = training});
}

}  // namespace heed::train
