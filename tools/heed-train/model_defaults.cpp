#include "model_defaults.hpp"

#include <heed/error.hpp>

#include <array>

namespace heed::trainer {

namespace {

// Batches are the benchmark's (MODELS.md); steps match the PyTorch quality runs of
// shared/bench/RESULTS.md (seq2seq: fewer, since warm-up plus cosine decay gets there sooner);
// the peak rates were chosen by measuring (README).
constexpr std::array<ModelDefaults, 3> defaults{{
    {.name = "seq2seq", .task = "dates: human-readable dates to ISO", .metric = "exact match on 1000 held-out dates",
     .steps = 1000, .epochs = 0, .batch = 64, .lr = 3e-3, .warmup = 100, .eval_every = 500, .eval_batch = 250},
    {.name = "charlm", .task = "text: next byte of the fortunes corpus", .metric = "bits per byte on the held-out last 5 %",
     .steps = 1000, .epochs = 0, .batch = 32, .lr = 3e-3, .warmup = 100, .eval_every = 250, .eval_batch = 32},
    {.name = "vit", .task = "fashion-mnist: 10 clothing classes", .metric = "accuracy on the 10 000 test images",
     .steps = 0, .epochs = 5, .batch = 128, .lr = 2e-3, .warmup = 200, .eval_every = 469, .eval_batch = 500},
}};

}  // namespace

std::span<const ModelDefaults> all_model_defaults() { return defaults; }

const ModelDefaults& model_defaults(std::string_view name) {
  for (const ModelDefaults& row : defaults)
    if (row.name == name) return row;
  fail("unknown model '{}'; the models are {}", name, model_names());
}

std::string model_names() {
  std::string names;
  for (const ModelDefaults& row : defaults) names += (names.empty() ? "" : ", ") + std::string(row.name);
  return names;
}

}  // namespace heed::trainer
