#pragma once
// Training progress on stderr: a bar redrawn in place (step, loss, samples/s, time left) when
// stderr is a terminal, plain lines every `log_every` steps when it is a file or a pipe, so logs
// stay readable and grep-able.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace heed::train {

class Progress {
 public:
  Progress(int64_t first_step, int64_t total_steps, int64_t batch, int64_t log_every);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // After each step: its loss, learning rate and how long the step took.
  void step(int64_t step, double loss, double lr, double seconds);
  // A line of its own (evaluations, checkpoints), printed without breaking the bar.
  void message(std::string_view line);
  void finish();  // leaves the bar's last state on its own line

  bool terminal() const { return terminal_; }

 private:
  void draw();
  void clear();

  int64_t total_, batch_, log_every_;
  bool terminal_;
  bool drawn_ = false;
  int64_t step_ = 0;
  double loss_ = 0, smoothed_ = 0, lr_ = 0;
  int64_t steps_timed_ = 0;
  double seconds_ = 0;  // training time of the steps timed in this session
  double recent_ = 0;   // smoothed seconds per step, for throughput and time left
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string format_duration(double seconds);  // "42s", "3m07s", "1h02m"

}  // namespace heed::train
