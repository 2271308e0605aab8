// classify on labelled texts: data, held-out split, training stream and accuracy.
#include "text_classes_task.hpp"

#include "explain_classify.hpp"

#include <heed/data/epoch_order.hpp>
#include <heed/data/text.hpp>
#include <heed/data/utf8.hpp>
#include <heed/models/config.hpp>

#include <nlohmann/json.hpp>

#include <heed/data/counter_rng.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

namespace heed::models {

namespace {

bool names_labels(const std::string& config_json) {
  return !config_json.empty() && nlohmann::json::parse(config_json, nullptr, false).contains("labels");
}

// The data as the user named it: the default fortune categories, or a label<TAB>text file.
data::LabelledTexts read_data(const std::string& data, const std::vector<std::string>& labels) {
  if (data.empty()) {
    data::LabelledTexts fortunes = data::read_fortune_categories(data::fortunes_directory, data::default_fortune_categories());
    if (!labels.empty() && labels != fortunes.labels)
      fail("classify: this model's classes are {}, not the fortune categories {}", fmt::join(labels, ", "), fmt::join(fortunes.labels, ", "));
    return fortunes;
  }
  return data::read_labelled_texts(data, labels);
}

class TextClassesTask : public train::Task {
 public:
  explicit TextClassesTask(train::TaskOptions options)
      : Task(std::move(options)), config_(options_.config_json.empty() ? ClassifyConfig{} : classify_config(options_.config_json)) {
    if (!names_labels(options_.config_json)) {  // a new run: the classes are the data's
      load();
      config_.labels = data_->labels;
    }
  }

  std::string_view model() const override { return "classify"; }
  std::string config_json() const override { return models::config_json(config_); }

  BuiltModel build_training(int64_t batch) const override {
    return build_classify(config_, {.batch = batch, .training = true, .greedy = false, .with_attention = false,
                                    .seed = static_cast<uint32_t>(options_.seed)});
  }
  BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return build_classify(config_, {.batch = batch, .training = false, .greedy = false, .with_attention = with_attention, .seed = 0});
  }
  BuiltModel build_explanation(int64_t batch) const override {
    return build_classify(config_, {.batch = batch, .training = false, .greedy = false, .with_attention = true, .seed = 0, .explain = true});
  }

  std::vector<Feed> next_batch(const BuiltModel& model) override {
    load();
    int64_t size = model.input("text").dim(0);
    text_.clear();
    mask_.clear();
    labels_.clear();
    for (int64_t i = 0; i < size; ++i) {
      const data::LabelledText& example = data_->examples[static_cast<size_t>(training_[static_cast<size_t>(order_->at(position_++))])];
      data::append_bytes(example.text, config_.context, text_, mask_);
      labels_.push_back(example.label);
    }
    return model.feeds({{"text", text_}, {"text_mask", mask_}, {"labels", labels_}});
  }
  uint64_t position() const override { return position_; }
  void seek(uint64_t position) override { position_ = position; }
  int64_t epoch_samples() override {
    load();
    return static_cast<int64_t>(training_.size());
  }

  train::Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) override {
    const std::vector<data::LabelledText>& examples = held_out();
    auto count = static_cast<int64_t>(examples.size());
    if (limit > 0) count = std::min(limit, count);
    int64_t batch = model.input("text").dim(0), correct = 0;
    std::vector<int64_t> per_class(static_cast<size_t>(config_.classes()), 0);
    for (int64_t first = 0; first < count; first += batch) {
      std::vector<int32_t> text;
      std::vector<float> mask;
      for (int64_t i = 0; i < batch; ++i)  // the last batch is padded with repeats, not counted
        data::append_bytes(examples[static_cast<size_t>(std::min(first + i, count - 1))].text, config_.context, text, mask);
      program.run({{model.input("text"), text}, {model.input("text_mask"), mask}});
      HostTensor logits = program.read(model.logits);
      for (int64_t i = 0; i < batch && first + i < count; ++i) {
        auto row = logits.f32().subspan(static_cast<size_t>(i * config_.classes()), static_cast<size_t>(config_.classes()));
        int32_t label = examples[static_cast<size_t>(first + i)].label;
        correct += std::max_element(row.begin(), row.end()) - row.begin() == label;
        ++per_class[static_cast<size_t>(label)];
      }
    }
    auto majority = std::max_element(per_class.begin(), per_class.end());
    train::Evaluation result;
    result.metric = "accuracy";
    result.value = static_cast<double>(correct) / static_cast<double>(count);
    double baseline = static_cast<double>(*majority) / static_cast<double>(count);
    std::string majority_label = config_.labels[static_cast<size_t>(majority - per_class.begin())];
    result.values = {{"accuracy", result.value}, {"majority_class", majority_label}, {"majority_accuracy", baseline}, {"examples", count}};
    result.summary = fmt::format("accuracy {:.2f} % ({} / {} held-out texts); always answering the majority class, {}, scores {:.2f} %",
                                 100 * result.value, correct, count, majority_label, 100 * baseline);
    return result;
  }

  train::Prediction predict(Program& program, const BuiltModel& model, const train::PredictRequest& request) override {
    if (request.generate > 0) fail("--generate: classify names a text's class and generates no text; leave out --generate");
    if (!request.input.empty()) {
      size_t bad = 0;
      if (!data::decode_utf8(request.input, &bad)) fail("--input: not valid UTF-8 (byte {})", bad + 1);
      return predict_classify(program, model, config_, request.input, -1, train::parse_explain_method(request.explain));
    }
    options_.data = request.data;  // the data --index reads: by default what the model was trained on
    held_out_.reset();
    const std::vector<data::LabelledText>& examples = held_out();
    int64_t index = std::max<int64_t>(0, request.index);
    if (index >= static_cast<int64_t>(examples.size())) fail("--index {}: there are {} held-out texts", index, examples.size());
    return predict_classify(program, model, config_, examples[static_cast<size_t>(index)].text, examples[static_cast<size_t>(index)].label,
                            train::parse_explain_method(request.explain));
  }

  // Masking a byte takes it out of the text (text_mask 0): no layer attends to it and the pooling
  // skips it. At least one byte of each text stays.
  train::Evaluation faithfulness(Program& program, const BuiltModel& model, int64_t limit) override {
    const std::vector<data::LabelledText>& examples = held_out();
    auto count = static_cast<int64_t>(examples.size());
    if (limit > 0) count = std::min(limit, count);
    int64_t batch = model.input("text").dim(0), classes = config_.classes();
    std::vector<train::ExplainMethod> methods = classify_methods(config_);
    train::FaithfulnessTally tally({1, 4, 16, 64}, "bytes");
    auto probabilities = [&](const std::vector<int32_t>& text, const std::vector<float>& mask) {
      program.run({{model.input("text"), text}, {model.input("text_mask"), mask}});
      return train::class_probabilities(program.read(model.logits));
    };
    for (int64_t first = 0; first < count; first += batch) {
      int64_t rows = std::min(batch, count - first);
      std::vector<int32_t> text;
      std::vector<float> mask;
      std::vector<int64_t> lengths;
      for (int64_t i = 0; i < batch; ++i) {
        const std::string& example = examples[static_cast<size_t>(std::min(first + i, count - 1))].text;
        data::append_bytes(example, config_.context, text, mask);
        lengths.push_back(std::min<int64_t>(static_cast<int64_t>(example.size()), config_.context));
      }
      std::vector<float> original = probabilities(text, mask);
      ClassifyExplanationValues values = read_explanation(program, model);
      std::vector<int32_t> predicted(static_cast<size_t>(batch));
      for (int64_t b = 0; b < batch; ++b) {
        auto row = std::span<const float>(original).subspan(static_cast<size_t>(b * classes), static_cast<size_t>(classes));
        predicted[static_cast<size_t>(b)] = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
      }
      // relevance[method][example]; random removal draws from the example's own index.
      std::vector<std::vector<std::vector<float>>> relevance;
      for (train::ExplainMethod method : methods) {
        relevance.emplace_back();
        for (int64_t b = 0; b < batch; ++b) relevance.back().push_back(classify_relevance(config_, values, method, b, lengths[static_cast<size_t>(b)]));
      }
      for (size_t m = 0; m <= methods.size(); ++m) {
        std::string removal = m < methods.size() ? std::string(train::explain_method_name(methods[m])) : "random";
        for (int64_t k : tally.ks()) {
          std::vector<float> masked = mask;
          for (int64_t b = 0; b < batch; ++b) {
            int64_t length = lengths[static_cast<size_t>(b)], removed = std::min(k, length - 1);
            std::vector<int64_t> positions;
            if (m < methods.size()) {
              positions = train::top_positions(relevance[m][static_cast<size_t>(b)], removed);
            } else {
              std::vector<float> draws(static_cast<size_t>(length));
              for (int64_t p = 0; p < length; ++p)
                draws[static_cast<size_t>(p)] = static_cast<float>(data::counter_random(static_cast<uint64_t>(first + b), static_cast<uint64_t>(k), static_cast<uint64_t>(p)) >> 40);
              positions = train::top_positions(draws, removed);
            }
            for (int64_t p : positions) masked[static_cast<size_t>(b * config_.context + p)] = 0.0f;
          }
          std::vector<float> after = probabilities(text, masked);
          for (int64_t b = 0; b < rows; ++b) {
            auto at = static_cast<size_t>(b * classes + predicted[static_cast<size_t>(b)]);
            tally.add(removal, k, original[at] - after[at]);
          }
        }
      }
    }
    return tally.evaluation(count);
  }

 private:
  void load() {
    if (data_) return;
    data_ = read_data(options_.data, names_labels(options_.config_json) ? config_.labels : std::vector<std::string>{});
    int64_t cut = 0;
    for (size_t i = 0; i < data_->examples.size(); ++i) {
      if (options_.held_out.empty() && data::in_held_out_tenth(static_cast<int64_t>(i))) continue;
      training_.push_back(static_cast<int64_t>(i));
      cut += static_cast<int64_t>(data_->examples[i].text.size()) > config_.context;
    }
    if (training_.empty()) fail("classify: {} holds too few texts to hold out a tenth and train on the rest", data_name());
    if (cut > 0)
      fmt::print(stderr, "{}: {} of {} training texts are longer than {} bytes; classify reads their first {} (set \"context\" in --config)\n",
                 data_name(), cut, training_.size(), config_.context, config_.context);
    order_.emplace(options_.seed, static_cast<int64_t>(training_.size()));
  }

  // Read once: periodic evaluation during training asks again and again.
  const std::vector<data::LabelledText>& held_out() {
    if (!held_out_) held_out_ = read_held_out();
    return *held_out_;
  }

  std::vector<data::LabelledText> read_held_out() const {
    if (!options_.held_out.empty()) return data::read_labelled_texts(options_.held_out, config_.labels).examples;
    std::error_code error;
    if (!options_.data.empty() && !std::filesystem::exists(options_.data, error))
      fail("{}: the held-out texts are a tenth of this file, which is gone; measure another file with eval --data FILE", options_.data);
    data::LabelledTexts all = read_data(options_.data, config_.labels);
    std::vector<data::LabelledText> examples;
    for (size_t i = 0; i < all.examples.size(); ++i)
      if (data::in_held_out_tenth(static_cast<int64_t>(i))) examples.push_back(all.examples[i]);
    if (examples.empty()) fail("classify: {} holds too few texts for a held-out tenth; give --valid FILE", data_name());
    return examples;
  }

  std::string data_name() const { return options_.data.empty() ? std::string("the fortunes") : options_.data; }

  ClassifyConfig config_;
  std::optional<data::LabelledTexts> data_;
  std::optional<std::vector<data::LabelledText>> held_out_;
  std::vector<int64_t> training_;  // indices into data_->examples
  std::optional<data::EpochOrder> order_;
  uint64_t position_ = 0;
  std::vector<int32_t> text_, labels_;
  std::vector<float> mask_;
};

}  // namespace

std::unique_ptr<train::Task> make_text_classes_task(train::TaskOptions options) {
  return std::make_unique<TextClassesTask>(std::move(options));
}

}  // namespace heed::models
