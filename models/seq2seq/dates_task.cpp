// seq2seq on `dates`: generated examples, exact match of greedy decoding on held-out dates.
#include "dates_task.hpp"

#include <heed/models/config.hpp>
#include <heed/data/dates.hpp>

#include <algorithm>

namespace heed::models {

namespace {

namespace dates = data::dates;

models::Seq2SeqConfig dates_config(const std::string& json) {
  models::Seq2SeqConfig config = json.empty() ? models::Seq2SeqConfig{} : models::seq2seq_config(json);
  // The dates encoding fixes these; another value would silently misread the data.
  if (config.source_vocab != dates::source_vocab || config.target_vocab != dates::target_vocab ||
      config.source_length != dates::source_length || config.target_length != dates::target_length)
    fail("seq2seq configuration: the dates task needs source_vocab {}, target_vocab {}, source_length {} and "
         "target_length {}; got {}, {}, {} and {}",
         dates::source_vocab, dates::target_vocab, dates::source_length, dates::target_length, config.source_vocab,
         config.target_vocab, config.source_length, config.target_length);
  return config;
}

class DatesTask : public train::Task {
 public:
  explicit DatesTask(train::TaskOptions options)
      : Task(std::move(options)),
        config_(dates_config(options_.config_json)),
        train_(options_.seed, dates::Split::train) {
    if (!options_.data.empty()) fail("--data {}: seq2seq generates its dates and reads no data file", options_.data);
    if (!options_.held_out.empty())
      fail("{}: this seq2seq model learnt dates, which it generates; it measures no pairs file", options_.held_out);
  }

  std::string_view model() const override { return "seq2seq"; }
  std::string config_json() const override { return models::config_json(config_); }

  BuiltModel build_training(int64_t batch) const override {
    return models::build_seq2seq(config_, {.batch = batch, .training = true, .greedy = false, .with_attention = false,
                                           .seed = static_cast<uint32_t>(options_.seed)});
  }
  BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return models::build_seq2seq(config_, {.batch = batch, .training = false, .greedy = true,
                                           .with_attention = with_attention, .seed = 0});
  }

  BuiltModel build_explanation(int64_t batch) const override {
    return models::build_seq2seq(config_, {.batch = batch, .training = false, .greedy = true, .with_attention = true, .seed = 0, .explain = true});
  }

  std::vector<Feed> next_batch(const BuiltModel& model) override {
    batch_ = train_.batch(model.input("source").dim(0));
    return model.feeds({{"source", batch_.src},
                        {"source_mask", batch_.src_mask},
                        {"target_in", batch_.tgt_in},
                        {"target_out", batch_.tgt_out}});
  }
  uint64_t position() const override { return train_.position(); }
  void seek(uint64_t position) override { train_.seek(position); }

  train::Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) override {
    int64_t count = limit > 0 ? std::min(limit, dates_held_out_count) : dates_held_out_count;
    int64_t batch = model.input("source").dim(0);
    int64_t length = dates::target_length;
    dates::Generator held_out(dates_held_out_seed, dates::Split::held_out);
    int64_t exact = 0, characters = 0;
    nlohmann::json samples = nlohmann::json::array();
    for (int64_t first = 0; first < count; first += batch) {
      std::vector<dates::Example> examples;
      for (int64_t i = 0; i < batch; ++i)  // the last batch is padded with repeats, not counted
        examples.push_back(held_out.example(static_cast<uint64_t>(std::min(first + i, count - 1))));
      dates::Batch encoded = dates::encode(examples);
      program.run({{model.input("source"), encoded.src}, {model.input("source_mask"), encoded.src_mask}});
      HostTensor predicted = program.read(model.prediction);
      for (int64_t i = 0; i < batch && first + i < count; ++i) {
        auto row = predicted.i32().subspan(static_cast<size_t>(i * length), static_cast<size_t>(length));
        auto want = std::span<const int32_t>(encoded.tgt_out).subspan(static_cast<size_t>(i * length), static_cast<size_t>(length));
        int64_t same = 0;
        for (int64_t t = 0; t < length; ++t) same += row[static_cast<size_t>(t)] == want[static_cast<size_t>(t)];
        characters += same;
        exact += same == length;
        if (samples.size() < 3)
          samples.push_back({{"source", examples[static_cast<size_t>(i)].source}, {"output", dates::decode_target(row)}});
      }
    }
    train::Evaluation result;
    result.metric = "exact_match";
    result.value = static_cast<double>(exact) / static_cast<double>(count);
    double character_accuracy = static_cast<double>(characters) / static_cast<double>(count * length);
    result.values = {{"exact_match", result.value},
                     {"char_accuracy", character_accuracy},
                     {"examples", count},
                     {"samples", samples}};
    result.summary = fmt::format("exact match {:.2f} % ({} / {} held-out dates), character accuracy {:.2f} %",
                                 100 * result.value, exact, count, 100 * character_accuracy);
    return result;
  }

  train::Prediction predict(Program& program, const BuiltModel& model, const train::PredictRequest& request) override {
    return predict_dates(program, model, request);
  }

 private:
  models::Seq2SeqConfig config_;
  dates::Generator train_;
  dates::Batch batch_;
};

}  // namespace

std::unique_ptr<train::Task> make_dates_task(train::TaskOptions options) { return std::make_unique<DatesTask>(std::move(options)); }

}  // namespace heed::models
