#pragma once
// What `heed-train train --model M` does when a flag is not given: one row per reference model
// (shared/MODELS.md). The figures were measured on this machine (README, "Models").
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace heed::trainer {

struct ModelDefaults {
  std::string_view name;
  std::string_view task;         // what it learns, for --help and messages
  std::string_view metric;       // the held-out metric eval reports
  int64_t steps = 0;             // training steps (0: counted from epochs)
  int64_t epochs = 0;            // vit: passes over the 60 000 training images
  int64_t batch = 0;
  double lr = 0;                 // the peak learning rate
  int64_t warmup = 0;            // steps of linear warm-up
  int64_t eval_every = 0;        // 0: only at the end
  int64_t eval_batch = 0;        // batch of the inference graph eval compiles
};

std::span<const ModelDefaults> all_model_defaults();
// The row of `name`; an unknown name is a heed::Error listing the models.
const ModelDefaults& model_defaults(std::string_view name);
std::string model_names();  // "seq2seq, charlm, vit"

}  // namespace heed::trainer
