#pragma once
// What fixes a run's trajectory: the model and its configuration, the data, the schedule, the
// batch, the seed and the precision. They are stored with every training checkpoint, so that --resume continues
// the run exactly as it started, whatever flags the resuming command line forgets.
#include <heed/backend.hpp>
#include <heed/train/schedule.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace heed::train {

struct RunSettings {
  std::string model;
  std::string config;  // the model configuration as JSON text (models/config.hpp)
  std::string data;    // --data; empty: the task's default
  std::string valid;   // --valid; empty: the task's own held-out split
  int64_t steps = 0;   // total training steps
  int64_t batch = 0;
  double lr = 0;  // peak learning rate
  int64_t warmup = 0;
  Schedule schedule = Schedule::cosine;
  uint64_t seed = 0;
  Precision precision = Precision::f32;  // --precision
  // How the run is watched: kept for --resume as well, but flags may change them there, since
  // they do not change the trajectory.
  int64_t eval_every = 0, eval_batch = 0, eval_limit = 0, save_every = 0;

  LearningRate learning_rate() const { return {.peak = lr, .warmup = warmup, .total = steps, .schedule = schedule}; }
};

std::string settings_json(const RunSettings& settings);
// `source` names the file in errors.
RunSettings parse_settings(const std::string& json, const std::string& source);

}  // namespace heed::train
