#pragma once
// Runs the built heed-train as a user would: a separate process with its own arguments, its
// stdout and stderr captured, in a working directory of the test's choosing. No shell is
// involved, so JSON arguments need no quoting.
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace trainer_test {

struct Result {
  int status = -1;  // the exit status, or 128 + the signal that ended it
  std::string out, err;
};

// The heed-train under test ($HEED_TRAIN, set by meson) and the backends built ($HEED_TEST_BACKENDS).
std::string heed_train();
std::vector<std::string> test_backends();

Result run(const std::vector<std::string>& arguments, const std::filesystem::path& directory);

// Another program's command line (its first element an absolute path): mpirun launching
// heed-train, say.
struct Command {
  std::vector<std::string> argv;
};
Result run(const Command& command, const std::filesystem::path& directory);

// A heed-train left running, to be signalled; its output goes to files in `directory`.
class Running {
 public:
  Running(const std::vector<std::string>& arguments, const std::filesystem::path& directory);
  Running(const Command& command, const std::filesystem::path& directory);
  ~Running();  // ends the process if the test did not wait for it
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  std::string err() const;  // what it wrote to stderr so far
  void signal(int number) const;
  pid_t pid() const { return pid_; }
  Result wait();

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_, err_;
};

}  // namespace trainer_test
