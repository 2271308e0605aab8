#pragma once
// One string through seq2seq trained on pairs: its output and the attention of every output
// character over the input. Characters outside the source vocabulary read as <unk>, with a
// warning on stderr.
#include <heed/data/pairs.hpp>
#include <heed/models/model.hpp>
#include <heed/train/explanation.hpp>

#include <optional>
#include <string>

namespace heed::models {

train::Prediction predict_pair(Program& program, const BuiltModel& model, const data::PairEncoding& encoding,
                               const std::u32string& source, const std::optional<std::u32string>& expected,
                               train::ExplainMethod method);

}  // namespace heed::models
