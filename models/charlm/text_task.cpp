// charlm on `text`: random windows of the training part; bits per byte over every window of the
// held-out tail, computed as quality_peer.py does (summed cross-entropy / predicted bytes / ln 2).
#include "text_task.hpp"

#include <heed/models/config.hpp>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <numbers>

namespace heed::models {

data::TextData load_text(const std::string& data, int64_t context, uint64_t seed) {
  data::TextOptions options{.context = context, .held_out_fraction = 0.05, .seed = seed};
  if (data.empty()) return data::TextData::fortunes(options);
  std::error_code error;
  if (std::filesystem::is_directory(data, error)) return data::TextData::fortunes(options, data);
  if (!std::filesystem::exists(data, error))
    fail("--data {}: no such file or folder; give a text file, or a folder of fortune files (the default corpus is "
         "Debian's fortunes package: apt-get install fortunes)",
         data);
  return data::TextData::from_file(data, options);
}

namespace {

models::CharLMConfig text_config(const std::string& json) {
  models::CharLMConfig config = json.empty() ? models::CharLMConfig{} : models::charlm_config(json);
  if (config.vocab != 256) fail("charlm configuration: the text task reads bytes and needs vocab 256, got {}", config.vocab);
  return config;
}

// -log p(target) in nats from one row of logits, in double so that 10^5 terms sum exactly enough.
double negative_log_likelihood(std::span<const float> logits, int32_t target) {
  float peak = *std::max_element(logits.begin(), logits.end());
  double total = 0;
  for (float logit : logits) total += std::exp(static_cast<double>(logit - peak));
  return std::log(total) + peak - logits[static_cast<size_t>(target)];
}

class TextTask : public train::Task {
 public:
  explicit TextTask(train::TaskOptions options)
      : Task(std::move(options)),
        config_(text_config(options_.config_json)),
        text_(load_text(options_.data, config_.context, options_.seed)) {}

  std::string_view model() const override { return "charlm"; }
  std::string config_json() const override { return models::config_json(config_); }

  BuiltModel build_training(int64_t batch) const override {
    return models::build_charlm(config_, {.batch = batch, .training = true, .greedy = false, .with_attention = false,
                                          .seed = static_cast<uint32_t>(options_.seed)});
  }
  BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return models::build_charlm(config_, {.batch = batch, .training = false, .greedy = false,
                                          .with_attention = with_attention, .seed = 0});
  }
  BuiltModel build_explanation(int64_t batch) const override {
    return models::build_charlm(config_, {.batch = batch, .training = false, .greedy = false,
                                          .with_attention = true, .seed = 0, .explain = true});
  }

  std::vector<Feed> next_batch(const BuiltModel& model) override {
    batch_ = text_.batch(model.input("tokens").dim(0));
    return model.feeds({{"tokens", batch_.x}, {"targets", batch_.y}});
  }
  uint64_t position() const override { return text_.position(); }
  void seek(uint64_t position) override { text_.seek(position); }

  train::Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) override {
    int64_t batch = model.input("tokens").dim(0), context = config_.context, vocab = config_.vocab;
    int64_t windows = text_.validation_windows();
    if (limit > 0) windows = std::min(windows, limit);
    if (windows == 0) fail("charlm: the held-out part of the corpus is shorter than one window of {} bytes", context + 1);
    double total = 0;
    int64_t counted = 0;
    std::vector<int32_t> tokens(static_cast<size_t>(batch * context));
    for (const data::TextBatch& part : text_.validation_batches(batch)) {
      if (counted >= windows * context) break;
      std::fill(tokens.begin(), tokens.end(), 0);  // a short last batch is padded, its rows ignored
      std::copy(part.x.begin(), part.x.end(), tokens.begin());
      program.run({{model.input("tokens"), tokens}});
      HostTensor logits = program.read(model.logits);
      for (int64_t row = 0; row < part.size * context && counted < windows * context; ++row, ++counted)
        total += negative_log_likelihood(logits.f32().subspan(static_cast<size_t>(row * vocab), static_cast<size_t>(vocab)),
                                         part.y[static_cast<size_t>(row)]);
    }
    train::Evaluation result;
    result.metric = "bits_per_byte";
    result.value = total / static_cast<double>(counted) / std::numbers::ln2;
    result.values = {{"bits_per_byte", result.value}, {"bytes", counted}};
    result.summary = fmt::format("{:.4f} bits per byte on the held-out tail ({} bytes predicted)", result.value, counted);
    return result;
  }

  train::Prediction predict(Program& program, const BuiltModel& model, const train::PredictRequest& request) override {
    return predict_charlm(program, model, request);
  }

 private:
  models::CharLMConfig config_;
  data::TextData text_;
  data::TextBatch batch_;
};

}  // namespace

std::unique_ptr<train::Task> make_text_task(train::TaskOptions options) { return std::make_unique<TextTask>(std::move(options)); }

}  // namespace heed::models
