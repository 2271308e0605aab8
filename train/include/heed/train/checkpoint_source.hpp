#pragma once
// `--checkpoint PATH` of eval and predict: a run folder or a .safetensors file, which model it
// holds (its metadata, or --model for a file saved without), and loading its parameters into an
// inference graph with every mismatch reported at once.
#include <heed/train/inference.hpp>

#include <filesystem>
#include <string>

namespace heed::train {

struct CheckpointSource {
  std::filesystem::path file;
  std::string model;
  std::string config;  // empty: the reference configuration
  std::string data;    // the data the model was trained on; empty: the default
  std::string valid;   // its held-out data (--valid); empty: the task's own split
  std::string step;    // as recorded, or empty
  bool has_model_metadata = false;
};

CheckpointSource open_checkpoint(const std::string& path, const std::string& model_flag);
void load_parameters(const CheckpointSource& source, InferenceModel& inference);

}  // namespace heed::train
