#pragma once
// Saving a run folder's two checkpoints and restoring a run from its training checkpoint.
#include <heed/train/run_settings.hpp>

#include <heed/checkpoint.hpp>

#include <filesystem>

namespace heed::train {

struct TrainingPosition {
  int64_t step = 0;       // steps done
  uint64_t samples = 0;   // the training stream's position
  // The training losses summed since the last evaluation, so that the next metrics line of a
  // resumed run reports the same mean as an uninterrupted run would.
  double loss_sum = 0;
  int64_t loss_count = 0;
};

// Writes model.safetensors (parameters, metadata model/config/data/step) and then
// training.safetensors (parameters, every state of the graph, the position, the settings); each
// write is atomic, and training.safetensors alone restores the run.
void save_run(const std::filesystem::path& folder, Program& program, Graph& graph, const RunSettings& settings,
              const TrainingPosition& position);

// The settings stored in a training checkpoint, read before the graph exists (they build it).
RunSettings read_run_settings(const std::filesystem::path& folder);

// Writes every parameter and state of `graph` from the folder's training checkpoint into the
// program, after checking all of them (one error lists every mismatch), and returns the position.
TrainingPosition restore_run(const std::filesystem::path& folder, Program& program, Graph& graph, const RunSettings& settings);

}  // namespace heed::train
