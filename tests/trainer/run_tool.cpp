#include "run_tool.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace trainer_test {

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

pid_t spawn(std::vector<std::string> all, const std::filesystem::path& directory, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  std::vector<char*> argv;
  for (std::string& argument : all) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0 || err_fd < 0 || ::chdir(directory.c_str()) != 0) ::_exit(126);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string heed_train() {
  const char* path = std::getenv("HEED_TRAIN");
  if (!path || !*path) throw std::runtime_error("HEED_TRAIN is not set: run these tests through meson test");
  return path;
}

std::vector<std::string> test_backends() {
  const char* list = std::getenv("HEED_TEST_BACKENDS");
  std::vector<std::string> names;
  std::stringstream text(list ? list : "cpu");
  for (std::string name; std::getline(text, name, ',');)
    if (!name.empty()) names.push_back(name);
  return names;
}

Result run(const std::vector<std::string>& arguments, const std::filesystem::path& directory) {
  Running process(arguments, directory);
  return process.wait();
}

Result run(const Command& command, const std::filesystem::path& directory) {
  Running process(command, directory);
  return process.wait();
}

Running::Running(const std::vector<std::string>& arguments, const std::filesystem::path& directory)
    : out_(directory / ".heed-train.out"), err_(directory / ".heed-train.err") {
  std::vector<std::string> all{heed_train()};
  all.insert(all.end(), arguments.begin(), arguments.end());
  pid_ = spawn(std::move(all), directory, out_, err_);
}

Running::Running(const Command& command, const std::filesystem::path& directory)
    : out_(directory / ".heed-train.out"), err_(directory / ".heed-train.err") {
  pid_ = spawn(command.argv, directory, out_, err_);
}

Running::~Running() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_for(pid_);
  }
}

std::string Running::err() const { return slurp(err_); }

void Running::signal(int number) const { ::kill(pid_, number); }

Result Running::wait() {
  Result result;
  result.status = wait_for(pid_);
  pid_ = -1;
  result.out = slurp(out_);
  result.err = slurp(err_);
  return result;
}

}  // namespace trainer_test
