#pragma once
// heed-train's command line for any program: train, eval, predict (with --resume, --json, --png)
// and backends, for every registered model, with --help that lists them. A user's program
// registers its model (heed/train/registry.hpp) and returns run_command_line(argc, argv) from main.
namespace heed::train {

// Exit statuses besides 0 (success) and 1 (an error with its message).
inline constexpr int exit_usage = 2;        // the command line itself is wrong
inline constexpr int exit_not_finite = 3;   // training stopped on a non-finite loss
// A run stopped by a signal exits with 128 + the signal's number, as the shell reports it.

// Parses the command line, runs the chosen command and returns the exit status. Errors are
// printed as "<program>: <message>" and never escape as exceptions. The first registered model
// is the default of --model.
int run_command_line(int argc, char** argv);

}  // namespace heed::train
