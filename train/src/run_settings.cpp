#include <heed/train/run_settings.hpp>

#include <heed/error.hpp>

namespace heed::train {

std::string settings_json(const RunSettings& settings) {
  nlohmann::json object = {{"model", settings.model},   {"config", settings.config}, {"data", settings.data}, {"valid", settings.valid},
                           {"steps", settings.steps},   {"batch", settings.batch},   {"lr", settings.lr},
                           {"warmup", settings.warmup}, {"schedule", schedule_name(settings.schedule)},
                           {"seed", settings.seed},     {"precision", precision_name(settings.precision)},
                           {"eval_every", settings.eval_every},
                           {"eval_batch", settings.eval_batch}, {"eval_limit", settings.eval_limit},
                           {"save_every", settings.save_every}};
  return object.dump();
}

RunSettings parse_settings(const std::string& json, const std::string& source) {
  try {
    nlohmann::json object = nlohmann::json::parse(json);
    RunSettings settings;
    settings.model = object.at("model").get<std::string>();
    settings.config = object.at("config").get<std::string>();
    settings.data = object.at("data").get<std::string>();
    settings.valid = object.value("valid", std::string());  // runs saved before --valid existed have none
    settings.steps = object.at("steps").get<int64_t>();
    settings.batch = object.at("batch").get<int64_t>();
    settings.lr = object.at("lr").get<double>();
    settings.warmup = object.at("warmup").get<int64_t>();
    settings.schedule = parse_schedule(object.at("schedule").get<std::string>());
    settings.seed = object.at("seed").get<uint64_t>();
    settings.precision = parse_precision(object.value("precision", std::string("f32")));  // runs saved before bf16 were f32
    settings.eval_every = object.at("eval_every").get<int64_t>();
    settings.eval_batch = object.at("eval_batch").get<int64_t>();
    settings.eval_limit = object.at("eval_limit").get<int64_t>();
    settings.save_every = object.at("save_every").get<int64_t>();
    return settings;
  } catch (const nlohmann::json::exception& error) {
    fail("{}: the run settings in its metadata are unreadable ({})", source, error.what());
  }
}

}  // namespace heed::train
