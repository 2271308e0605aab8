#pragma once
// Model configurations as JSON text: stored in a checkpoint's metadata["config"] and read back,
// so a checkpoint rebuilds the model it came from. Missing keys take the reference defaults;
// a key of the wrong type or an unknown key is an error that names it.
#include <heed/models/charlm.hpp>
#include <heed/models/classify.hpp>
#include <heed/models/seq2seq.hpp>
#include <heed/models/vit.hpp>

#include <string>

namespace heed::models {

std::string config_json(const Seq2SeqConfig& config);
std::string config_json(const CharLMConfig& config);
std::string config_json(const ViTConfig& config);
std::string config_json(const ClassifyConfig& config);

Seq2SeqConfig seq2seq_config(std::string_view json);
CharLMConfig charlm_config(std::string_view json);
ViTConfig vit_config(std::string_view json);
ClassifyConfig classify_config(std::string_view json);

}  // namespace heed::models
