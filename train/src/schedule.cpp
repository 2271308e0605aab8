#include <heed/train/schedule.hpp>

#include <heed/error.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace heed::train {

Schedule parse_schedule(const std::string& name) {
  if (name == "cosine") return Schedule::cosine;
  if (name == "constant") return Schedule::constant;
  fail("unknown learning-rate schedule '{}'; the schedules are cosine, constant", name);
}

const char* schedule_name(Schedule schedule) { return schedule == Schedule::cosine ? "cosine" : "constant"; }

double LearningRate::at(int64_t step) const {
  if (warmup > 0 && step <= warmup) return peak * static_cast<double>(step) / static_cast<double>(warmup);
  if (schedule == Schedule::constant) return peak;
  int64_t span = std::max<int64_t>(1, total - warmup);
  double progress = std::clamp(static_cast<double>(step - warmup) / static_cast<double>(span), 0.0, 1.0);
  double cosine = 0.5 * (1 + std::cos(std::numbers::pi * progress));
  return peak * (floor + (1 - floor) * cosine);
}

}  // namespace heed::train
