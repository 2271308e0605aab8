// heed-train: the trainer users run. main() only turns errors into messages and exit statuses;
// cli.cpp reads the command line and the *_command.cpp files do the work.
#include "cli.hpp"

#include <heed/error.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <exception>

int main(int argc, char** argv) {
  // The CPU backend runs on OpenMP (libgomp, read when the module loads). Its idle workers spin
  // by default; on a machine where other processes want the same cores, that made training
  // steps 10x slower here (2 threads: 19 samples/s spinning, 180 passive, at a load of 9 on 2
  // cores). Sleeping workers cost little when the machine is idle. A user's setting wins.
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  try {
    return heed::trainer::run_command_line(argc, argv);
  } catch (const heed::Error& error) {
    fmt::print(stderr, "heed-train: {}\n", error.what());
  } catch (const std::exception& error) {
    fmt::print(stderr, "heed-train: unexpected error: {}\n", error.what());
  }
  return 1;
}
