#include <heed/train/progress.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <sys/ioctl.h>
#include <unistd.h>

namespace heed::train {

namespace {

int terminal_columns() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 100;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto whole = static_cast<int64_t>(std::llround(seconds));
  if (whole < 60) return fmt::format("{}s", whole);
  if (whole < 3600) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}h{:02}m", whole / 3600, whole % 3600 / 60);
}

Progress::Progress(int64_t first_step, int64_t total_steps, int64_t batch, int64_t log_every)
    : total_(total_steps), batch_(batch), log_every_(std::max<int64_t>(1, log_every)), terminal_(::isatty(STDERR_FILENO) == 1),
      step_(first_step) {}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
}

void Progress::step(int64_t step, double loss, double lr, double seconds) {
  step_ = step;
  loss_ = loss;
  lr_ = lr;
  smoothed_ = steps_timed_ == 0 ? loss : 0.95 * smoothed_ + 0.05 * loss;
  // The first step of a session includes one-off work (first touches of memory): leave it out.
  if (steps_timed_ > 0 || total_ == step) {
    seconds_ += seconds;
    recent_ = recent_ == 0 ? seconds : 0.9 * recent_ + 0.1 * seconds;
  }
  ++steps_timed_;
  if (terminal_) {
    auto now = std::chrono::steady_clock::now();
    if (step == total_ || now - last_draw_ > std::chrono::milliseconds(100)) {
      last_draw_ = now;
      draw();
    }
  } else if (step % log_every_ == 0 || step == total_) {
    double per_step = recent_ > 0 ? recent_ : seconds;
    fmt::print(stderr, "step {}/{} loss {:.6f} (smoothed {:.4f}) lr {:.3g} {:.0f} samples/s, {} left\n", step, total_, loss,
               smoothed_, lr, per_step > 0 ? static_cast<double>(batch_) / per_step : 0.0,
               format_duration(per_step * static_cast<double>(total_ - step)));
    std::fflush(stderr);
  }
}

void Progress::draw() {
  double per_step = recent_;
  std::string stats = fmt::format(" step {}/{} loss {:.4f} lr {:.2g} {:.0f} samples/s ETA {}", step_, total_, smoothed_, lr_,
                                  per_step > 0 ? static_cast<double>(batch_) / per_step : 0.0,
                                  per_step > 0 ? format_duration(per_step * static_cast<double>(total_ - step_)) : "?");
  int width = std::clamp(terminal_columns() - static_cast<int>(stats.size()) - 3, 10, 50);
  int filled = static_cast<int>(static_cast<double>(width) * static_cast<double>(step_) / static_cast<double>(std::max<int64_t>(1, total_)));
  std::string bar;
  for (int i = 0; i < width; ++i) bar += i < filled ? "\u2588" : "\u2591";  // full block, light shade
  fmt::print(stderr, "\r\x1b[2K[{}]{}", bar, stats);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (terminal_ && drawn_) fmt::print(stderr, "\r\x1b[2K");
}

void Progress::message(std::string_view line) {
  clear();
  fmt::print(stderr, "{}\n", line);
  if (terminal_ && drawn_) draw();
  std::fflush(stderr);
}

void Progress::finish() {
  if (terminal_ && drawn_) {
    draw();
    std::fputc('\n', stderr);
    drawn_ = false;
  }
}

}  // namespace heed::train
