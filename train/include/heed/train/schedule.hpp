#pragma once
// The learning rate at each step: a linear warm-up from 0, then either constant or a cosine decay
// to a tenth of the peak at the last step. Warm-up lets a higher peak rate than PyTorch's constant
// 1e-3 start without blowing up Adam's early, noisy updates; the decay then settles the weights,
// which is what reaches the reference quality in fewer steps.
#include <cstdint>
#include <string>

namespace heed::train {

enum class Schedule { cosine, constant };
Schedule parse_schedule(const std::string& name);  // throws naming the valid ones
const char* schedule_name(Schedule schedule);

struct LearningRate {
  double peak = 1e-3;
  int64_t warmup = 0;
  int64_t total = 1;
  Schedule schedule = Schedule::cosine;
  double floor = 0.1;  // of the peak, at the last step (cosine)

  double at(int64_t step) const;  // step counts from 1
};

}  // namespace heed::train
