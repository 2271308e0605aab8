#pragma once
// The command line: CLI11 definitions of the four subcommands, every flag documented with its
// default, and errors that list what is valid (models, backends, flags, commands).
namespace heed::trainer {

// Parses the command line and runs the chosen subcommand; returns the exit status.
int run_command_line(int argc, char** argv);

}  // namespace heed::trainer
