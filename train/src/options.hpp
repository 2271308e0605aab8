#pragma once
// The flags of each subcommand, as parsed by cli.cpp. A value of -1 or 0 where noted means "not
// given": the model's registered default applies.
#include <heed/train/task.hpp>

#include <cstdint>
#include <set>
#include <string>

namespace heed::train {

struct CommonOptions {
  std::string program = "heed-train";  // the program's name as typed, for messages
  std::string backend = "cpu";
  int device = -1;  // -1: the backend's choice
  CompileOptions compile;  // --threads, --precision, --no-fusion, --profile
};

struct TrainOptions {
  CommonOptions common;
  std::string model;  // empty: the first registered model
  std::string data;
  std::string valid;
  std::string config;  // model configuration overrides as JSON
  int64_t steps = 0, epochs = 0, batch = 0;
  double lr = 0;
  int64_t warmup = -1;
  std::string schedule = "cosine";
  uint64_t seed = 0;
  std::string out;
  bool resume = false;
  int64_t eval_every = -1, eval_batch = 0, eval_limit = 0;
  int64_t save_every = 500, stop_after = 0, log_every = 100;
  std::set<std::string> given;  // the long names of the flags on the command line
};

struct EvalOptions {
  CommonOptions common;
  std::string checkpoint;
  std::string model;  // only for a checkpoint without metadata
  std::string data;
  int64_t batch = 0, limit = 0;
  bool json = false;
  bool faithfulness = false;
};

struct PredictOptions {
  CommonOptions common;
  std::string checkpoint;
  std::string model;
  bool json = false;
  std::string png;
  PredictRequest request;
};

}  // namespace heed::train
