#pragma once
// The subcommands. Each returns the process's exit status and throws heed::Error on bad input.
#include "options.hpp"

#include <heed/train/command_line.hpp>

namespace heed::train {

int run_train(const TrainOptions& options);
int run_eval(const EvalOptions& options);
int run_predict(const PredictOptions& options);
int run_backends(const std::string& program);

// With --profile, the program's time per kernel on stderr.
void report_profile(const CommonOptions& options, const Program& program);

}  // namespace heed::train
