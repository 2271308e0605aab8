#pragma once
// seq2seq on the user's own pairs (`--data pairs.tsv`): character vocabularies and lengths built
// from the training pairs and stored with the configuration, held-out pairs from --valid or the
// last 5 %, exact match and character error rate, and predictions of any string.
//
// Its configuration is seq2seq's with a "pairs" object added:
//   {"embedding": 64, ..., "pairs": {"min_count": 2, "max_source_length": 128,
//    "max_target_length": 128, "source_characters": "...", "target_characters": "..."}}
// The limits and min_count come from --config; the characters, vocabulary sizes and lengths are
// filled in from the data, so a checkpoint rebuilds the model and its encoding with no data.
#include <heed/data/pairs.hpp>
#include <heed/models/model.hpp>
#include <heed/models/seq2seq.hpp>

#include <memory>
#include <optional>
#include <string>

namespace heed::models {

struct PairsConfig {
  Seq2SeqConfig model;
  int64_t min_count = 2;  // characters seen fewer times in the training pairs read as <unk>
  int64_t max_source_length = 128, max_target_length = 128;  // longer pairs are left out, and counted
  std::optional<std::u32string> source_characters, target_characters;  // set once built from data
};

bool has_pairs_section(std::string_view config_json);
PairsConfig pairs_config(std::string_view config_json);
std::string config_json(const PairsConfig& config);
// seq2seq's model configuration alone, whether or not `config_json` has a pairs section.
Seq2SeqConfig seq2seq_model_config(std::string_view config_json);

std::unique_ptr<train::Task> make_pairs_task(train::TaskOptions options);

}  // namespace heed::models
