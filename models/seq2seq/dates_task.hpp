#pragma once
// seq2seq's task, dates: generated examples of human-readable dates and their ISO form, exact
// match of greedy decoding on held-out dates, and a date's prediction with its attention.
#include <heed/models/model.hpp>

#include <memory>

namespace heed::models {

// The held-out dates: the first 1000 examples of this stream (as quality_peer.py, seed 0 + 1000003).
inline constexpr uint64_t dates_held_out_seed = 1'000'003;
inline constexpr int64_t dates_held_out_count = 1000;

std::unique_ptr<train::Task> make_dates_task(train::TaskOptions options);
train::Prediction predict_dates(Program& program, const BuiltModel& model, const train::PredictRequest& request);

}  // namespace heed::models
