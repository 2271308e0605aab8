#pragma once
// charlm's task, text: random windows of a corpus (Debian's fortunes by default), bits per byte
// on its held-out tail, and a prompt's continuation with the last layer's attention.
#include <heed/data/text.hpp>
#include <heed/models/model.hpp>

#include <memory>
#include <string>

namespace heed::models {

// --data for charlm: a text file, or a folder of fortune files; empty: Debian's fortunes.
data::TextData load_text(const std::string& data, int64_t context, uint64_t seed);

std::unique_ptr<train::Task> make_text_task(train::TaskOptions options);
train::Prediction predict_charlm(Program& program, const BuiltModel& model, const train::PredictRequest& request);

}  // namespace heed::models
