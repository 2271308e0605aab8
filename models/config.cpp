#include <heed/models/config.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace heed::models {

namespace {

using json = nlohmann::json;

// Reads every key of `text` into the matching field; `fields` lists (key, setter) pairs.
template <typename Config>
Config parse(std::string_view model, std::string_view text, Config config,
             const std::vector<std::pair<std::string, int64_t Config::*>>& integers) {
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception& error) {
    fail("{} configuration: not valid JSON ({})", model, error.what());
  }
  if (!object.is_object()) fail("{} configuration: expected a JSON object, got {}", model, text);
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    const json& value = item.value();
    auto field = std::find_if(integers.begin(), integers.end(), [&](const auto& pair) { return pair.first == key; });
    if (field != integers.end()) {
      if (!value.is_number_integer() || value.get<int64_t>() <= 0)
        fail("{} configuration: '{}' must be a positive whole number, got {}", model, key, value.dump());
      config.*(field->second) = value.get<int64_t>();
    } else if constexpr (std::is_same_v<Config, ViTConfig>) {
      if (key == "channels" && value.is_number_integer() && (value == 1 || value == 3)) config.channels = value.get<int64_t>();
      else if (key == "labels" && value.is_array() && value.size() >= 2 &&
               std::all_of(value.begin(), value.end(), [](const json& label) { return label.is_string(); }))
        config.labels = value.get<std::vector<std::string>>();
      else fail("{} configuration: unknown or malformed key '{}' = {} (channels is 1 or 3, labels a list of at least two names)",
                model, key, value.dump());
    } else if constexpr (std::is_same_v<Config, ClassifyConfig>) {
      if (key == "encoder" && value.is_string() && (value == "transformer" || value == "bilstm"))
        config.encoder = value == "transformer" ? TextEncoder::transformer : TextEncoder::bilstm;
      else if (key == "labels" && value.is_array() && value.size() >= 2 &&
               std::all_of(value.begin(), value.end(), [](const json& label) { return label.is_string(); }))
        config.labels = value.get<std::vector<std::string>>();
      else fail("{} configuration: unknown or malformed key '{}' = {} (encoder is \"transformer\" or \"bilstm\", labels "
                "a list of at least two names)", model, key, value.dump());
    } else if constexpr (std::is_same_v<Config, Seq2SeqConfig>) {
      if (key == "scoring" && value.is_string()) config.scoring = nn::parse_scoring(value.get<std::string>());
      else if (key == "temperature" && value.is_number() && value.get<double>() > 0) config.temperature = value.get<double>();
      else fail("{} configuration: unknown or malformed key '{}' = {}", model, key, value.dump());
    } else {
      fail("{} configuration: unknown key '{}'", model, key);
    }
  }
  return config;
}

const std::vector<std::pair<std::string, int64_t Seq2SeqConfig::*>> seq2seq_fields{
    {"source_vocab", &Seq2SeqConfig::source_vocab},     {"target_vocab", &Seq2SeqConfig::target_vocab},
    {"source_length", &Seq2SeqConfig::source_length},   {"target_length", &Seq2SeqConfig::target_length},
    {"embedding", &Seq2SeqConfig::embedding},           {"encoder_hidden", &Seq2SeqConfig::encoder_hidden},
    {"decoder_hidden", &Seq2SeqConfig::decoder_hidden}, {"attention", &Seq2SeqConfig::attention}};
const std::vector<std::pair<std::string, int64_t CharLMConfig::*>> charlm_fields{
    {"vocab", &CharLMConfig::vocab}, {"context", &CharLMConfig::context}, {"width", &CharLMConfig::width},
    {"heads", &CharLMConfig::heads}, {"layers", &CharLMConfig::layers},   {"mlp", &CharLMConfig::mlp}};
const std::vector<std::pair<std::string, int64_t ViTConfig::*>> vit_fields{
    {"image", &ViTConfig::image}, {"patch", &ViTConfig::patch},   {"width", &ViTConfig::width},
    {"heads", &ViTConfig::heads}, {"layers", &ViTConfig::layers}, {"mlp", &ViTConfig::mlp},
    {"classes", &ViTConfig::classes}};

const std::vector<std::pair<std::string, int64_t ClassifyConfig::*>> classify_fields{
    {"context", &ClassifyConfig::context}, {"width", &ClassifyConfig::width},   {"heads", &ClassifyConfig::heads},
    {"layers", &ClassifyConfig::layers},   {"mlp", &ClassifyConfig::mlp},       {"hidden", &ClassifyConfig::hidden},
    {"attention", &ClassifyConfig::attention}};

template <typename Config>
json integers(const Config& config, const std::vector<std::pair<std::string, int64_t Config::*>>& fields) {
  json object = json::object();
  for (const auto& [key, field] : fields) object[key] = config.*field;
  return object;
}

}  // namespace

std::string config_json(const Seq2SeqConfig& config) {
  json object = integers(config, seq2seq_fields);
  object["scoring"] = std::string(nn::scoring_name(config.scoring));
  object["temperature"] = config.temperature;
  return object.dump();
}
std::string config_json(const CharLMConfig& config) { return integers(config, charlm_fields).dump(); }
std::string config_json(const ViTConfig& config) {
  json object = integers(config, vit_fields);
  if (config.channels != 1) object["channels"] = config.channels;  // left out at 1: the reference model's text stays as it was
  if (!config.labels.empty()) object["labels"] = config.labels;
  return object.dump();
}
std::string config_json(const ClassifyConfig& config) {
  json object = integers(config, classify_fields);
  object["encoder"] = config.encoder == TextEncoder::transformer ? "transformer" : "bilstm";
  object["labels"] = config.labels;
  return object.dump();
}

Seq2SeqConfig seq2seq_config(std::string_view text) { return parse("seq2seq", text, Seq2SeqConfig{}, seq2seq_fields); }
CharLMConfig charlm_config(std::string_view text) { return parse("charlm", text, CharLMConfig{}, charlm_fields); }
ViTConfig vit_config(std::string_view text) { return parse("vit", text, ViTConfig{}, vit_fields); }
ClassifyConfig classify_config(std::string_view text) { return parse("classify", text, ClassifyConfig{}, classify_fields); }

}  // namespace heed::models
