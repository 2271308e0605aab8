// The pairs section of seq2seq's configuration (pairs_task.hpp).
#include "pairs_task.hpp"

#include <heed/data/utf8.hpp>
#include <heed/models/config.hpp>

#include <nlohmann/json.hpp>

namespace heed::models {

namespace {

using json = nlohmann::json;

json parse_object(std::string_view text) {
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception& error) {
    fail("seq2seq configuration: not valid JSON ({})", error.what());
  }
  if (!object.is_object()) fail("seq2seq configuration: expected a JSON object, got {}", text);
  return object;
}

std::u32string characters(const json& value, const char* key) {
  if (!value.is_string()) fail("seq2seq configuration: pairs.{} must be a string of characters, got {}", key, value.dump());
  std::optional<std::u32string> decoded = data::decode_utf8(value.get<std::string>());
  if (!decoded) fail("seq2seq configuration: pairs.{} is not valid UTF-8", key);
  return *decoded;
}

}  // namespace

bool has_pairs_section(std::string_view config_json) {
  return !config_json.empty() && parse_object(config_json).contains("pairs");
}

PairsConfig pairs_config(std::string_view config_json) {
  PairsConfig config;
  if (config_json.empty()) return config;
  json object = parse_object(config_json);
  if (object.contains("pairs")) {
    const json& pairs = object["pairs"];
    if (!pairs.is_object()) fail("seq2seq configuration: 'pairs' must be an object, got {}", pairs.dump());
    for (const auto& item : pairs.items()) {
      const std::string& key = item.key();
      const json& value = item.value();
      auto positive = [&](int64_t& field) {
        if (!value.is_number_integer() || value.get<int64_t>() <= 0)
          fail("seq2seq configuration: pairs.{} must be a positive whole number, got {}", key, value.dump());
        field = value.get<int64_t>();
      };
      if (key == "min_count") positive(config.min_count);
      else if (key == "max_source_length") positive(config.max_source_length);
      else if (key == "max_target_length") positive(config.max_target_length);
      else if (key == "source_characters") config.source_characters = characters(value, "source_characters");
      else if (key == "target_characters") config.target_characters = characters(value, "target_characters");
      else fail("seq2seq configuration: unknown key pairs.{}; it takes min_count, max_source_length, max_target_length", key);
    }
    if (config.source_characters.has_value() != config.target_characters.has_value())
      fail("seq2seq configuration: pairs needs both source_characters and target_characters, or neither");
    object.erase("pairs");
  }
  config.model = seq2seq_config(object.dump());
  return config;
}

std::string config_json(const PairsConfig& config) {
  json object = json::parse(config_json(config.model));
  json pairs = {{"min_count", config.min_count}, {"max_source_length", config.max_source_length},
                {"max_target_length", config.max_target_length}};
  if (config.source_characters) pairs["source_characters"] = data::encode_utf8(*config.source_characters);
  if (config.target_characters) pairs["target_characters"] = data::encode_utf8(*config.target_characters);
  object["pairs"] = pairs;
  return object.dump();
}

Seq2SeqConfig seq2seq_model_config(std::string_view config_json) {
  if (config_json.empty()) return Seq2SeqConfig{};
  return pairs_config(config_json).model;
}

}  // namespace heed::models
