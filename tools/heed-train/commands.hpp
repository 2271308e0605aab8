#pragma once
// The subcommands. Each returns the process's exit status and throws heed::Error on bad input.
#include "options.hpp"

namespace heed::trainer {

// Exit statuses besides 0 (success) and 1 (an error with its message).
inline constexpr int exit_usage = 2;        // the command line itself is wrong
inline constexpr int exit_not_finite = 3;   // training stopped on a non-finite loss
// A run stopped by a signal exits with 128 + the signal's number, as the shell reports it.

int run_train(const TrainOptions& options);
int run_eval(const EvalOptions& options);
int run_predict(const PredictOptions& options);
int run_backends();

}  // namespace heed::trainer
