// seq2seq on the user's pairs: the data, its encoding, the training stream and the metrics.
#include "pairs_task.hpp"

#include "pair_prediction.hpp"

#include <heed/data/edit_distance.hpp>
#include <heed/data/epoch_order.hpp>
#include <heed/data/utf8.hpp>

#include <algorithm>
#include <cmath>

namespace heed::models {

namespace {

constexpr double held_out_fraction = 0.05;

// The training and held-out pairs of one data set, before any length limit.
struct PairSplit {
  std::vector<data::TextPair> training, held_out;
};

PairSplit split_pairs(const std::string& data, const std::string& held_out) {
  if (data.empty()) fail("seq2seq on pairs needs --data FILE (one source<TAB>target a line)");
  PairSplit split;
  split.training = data::read_pairs(data);
  if (!held_out.empty()) {
    split.held_out = data::read_pairs(held_out);
    return split;
  }
  auto count = static_cast<int64_t>(split.training.size());
  auto kept = static_cast<int64_t>(std::ceil(static_cast<double>(count) * held_out_fraction));
  if (count - kept < 1) fail("{}: {} pairs are too few to hold out 5 % and train on the rest; give --valid FILE", data, count);
  split.held_out.assign(split.training.end() - kept, split.training.end());
  split.training.resize(static_cast<size_t>(count - kept));
  return split;
}

// The pairs of `pairs` that fit `encoding`, and how many did not.
std::vector<data::TextPair> fitting(std::vector<data::TextPair> pairs, const data::PairEncoding& encoding, int64_t& left_out) {
  auto end = std::remove_if(pairs.begin(), pairs.end(), [&](const data::TextPair& pair) { return !encoding.fits(pair); });
  left_out = pairs.end() - end;
  pairs.erase(end, pairs.end());
  return pairs;
}

class PairsTask : public train::Task {
 public:
  explicit PairsTask(train::TaskOptions options) : Task(std::move(options)), config_(pairs_config(options_.config_json)) {
    if (config_.source_characters) {
      encoding_ = stored_encoding();
    } else {
      split_ = split_pairs(options_.data, options_.held_out);
      encoding_ = built_encoding(*split_);
    }
  }

  std::string_view model() const override { return "seq2seq"; }
  std::string config_json() const override { return models::config_json(config_); }

  BuiltModel build_training(int64_t batch) const override {
    return build_seq2seq(config_.model, {.batch = batch, .training = true, .greedy = false, .with_attention = false,
                                         .seed = static_cast<uint32_t>(options_.seed)});
  }
  BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return build_seq2seq(config_.model, {.batch = batch, .training = false, .greedy = true, .with_attention = with_attention, .seed = 0});
  }
  BuiltModel build_explanation(int64_t batch) const override {
    return build_seq2seq(config_.model, {.batch = batch, .training = false, .greedy = true, .with_attention = true, .seed = 0, .explain = true});
  }

  std::vector<Feed> next_batch(const BuiltModel& model) override {
    const std::vector<data::TextPair>& pairs = training_pairs();
    int64_t size = model.input("source").dim(0);
    batch_ = {};
    for (int64_t i = 0; i < size; ++i) encoding_.append(pairs[static_cast<size_t>(order_->at(position_++))], batch_);
    return model.feeds({{"source", batch_.source},
                        {"source_mask", batch_.source_mask},
                        {"target_in", batch_.target_in},
                        {"target_out", batch_.target_out}});
  }
  uint64_t position() const override { return position_; }
  void seek(uint64_t position) override { position_ = position; }
  int64_t epoch_samples() override { return static_cast<int64_t>(training_pairs().size()); }

  train::Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) override {
    int64_t left_out = 0;
    std::vector<data::TextPair> pairs = fitting(held_out_pairs(), encoding_, left_out);
    if (pairs.empty())
      fail("{}: none of its {} held-out pairs fits the model's lengths ({} source, {} target characters)", held_out_name(),
           left_out, encoding_.source_length, encoding_.target_length - 1);
    auto count = static_cast<int64_t>(pairs.size());
    if (limit > 0) count = std::min(limit, count);
    int64_t batch_size = model.input("source").dim(0);
    int64_t exact = 0, edits = 0, characters = 0;
    nlohmann::json samples = nlohmann::json::array();
    for (int64_t first = 0; first < count; first += batch_size) {
      data::SequenceBatch batch;
      for (int64_t i = 0; i < batch_size; ++i)  // the last batch is padded with repeats, not counted
        encoding_.append(pairs[static_cast<size_t>(std::min(first + i, count - 1))], batch);
      program.run({{model.input("source"), batch.source}, {model.input("source_mask"), batch.source_mask}});
      HostTensor predicted = program.read(model.prediction);
      for (int64_t i = 0; i < batch_size && first + i < count; ++i) {
        const data::TextPair& pair = pairs[static_cast<size_t>(first + i)];
        auto row = predicted.i32().subspan(static_cast<size_t>(i * encoding_.target_length), static_cast<size_t>(encoding_.target_length));
        std::u32string output = encoding_.decode_target(row);
        exact += output == pair.target;
        edits += data::edit_distance(output, pair.target);
        characters += static_cast<int64_t>(pair.target.size());
        if (samples.size() < 3)
          samples.push_back({{"source", data::encode_utf8(pair.source)}, {"target", data::encode_utf8(pair.target)},
                             {"output", data::encode_utf8(output)}});
      }
    }
    train::Evaluation result;
    result.metric = "exact_match";
    result.value = static_cast<double>(exact) / static_cast<double>(count);
    double error_rate = static_cast<double>(edits) / static_cast<double>(std::max<int64_t>(characters, 1));
    result.values = {{"exact_match", result.value}, {"char_error_rate", error_rate}, {"examples", count},
                     {"left_out_too_long", left_out}, {"samples", samples}};
    result.summary = fmt::format("exact match {:.2f} % ({} / {} held-out pairs of {}), character error rate {:.2f} %{}",
                                 100 * result.value, exact, count, held_out_name(), 100 * error_rate,
                                 left_out > 0 ? fmt::format("; {} pairs longer than the model's lengths left out", left_out) : "");
    return result;
  }

  train::Prediction predict(Program& program, const BuiltModel& model, const train::PredictRequest& request) override {
    if (request.generate > 0) fail("--generate: seq2seq translates its input and generates no free text; leave out --generate");
    if (!request.input.empty()) {
      size_t bad = 0;
      std::optional<std::u32string> source = data::decode_utf8(request.input, &bad);
      if (!source) fail("--input: not valid UTF-8 (byte {})", bad + 1);
      return predict_pair(program, model, encoding_, *source, std::nullopt, train::parse_explain_method(request.explain));
    }
    std::vector<data::TextPair> held_out = options_.held_out.empty()
                                               ? split_pairs(request.data.empty() ? options_.data : request.data, "").held_out
                                               : data::read_pairs(options_.held_out);
    int64_t index = std::max<int64_t>(0, request.index);
    if (index >= static_cast<int64_t>(held_out.size())) fail("--index {}: there are {} held-out pairs", index, held_out.size());
    const data::TextPair& pair = held_out[static_cast<size_t>(index)];
    return predict_pair(program, model, encoding_, pair.source, pair.target, train::parse_explain_method(request.explain));
  }

 private:
  data::PairEncoding stored_encoding() const {
    data::PairEncoding encoding{.source = {data::source_reserved_tokens(), *config_.source_characters},
                                .target = {data::target_reserved_tokens(), *config_.target_characters},
                                .source_length = config_.model.source_length,
                                .target_length = config_.model.target_length};
    if (encoding.source.size() != config_.model.source_vocab || encoding.target.size() != config_.model.target_vocab)
      fail("seq2seq configuration: the stored characters make vocabularies of {} and {}, but the model has {} and {}",
           encoding.source.size(), encoding.target.size(), config_.model.source_vocab, config_.model.target_vocab);
    return encoding;
  }

  // Vocabularies from the training pairs; lengths from every pair within the limits.
  data::PairEncoding built_encoding(const PairSplit& split) {
    std::vector<std::u32string> sources, targets;
    int64_t source_length = 1, target_length = 1, too_long = 0;
    for (const data::TextPair& pair : split.training) {
      auto source_size = static_cast<int64_t>(pair.source.size()), target_size = static_cast<int64_t>(pair.target.size());
      if (source_size > config_.max_source_length || target_size > config_.max_target_length) {
        ++too_long;
        continue;
      }
      sources.push_back(pair.source);
      targets.push_back(pair.target);
      source_length = std::max(source_length, source_size);
      target_length = std::max(target_length, target_size);
    }
    if (sources.empty())
      fail("{}: every training pair is longer than max_source_length {} or max_target_length {}; raise them in --config "
           "'{{\"pairs\": {{\"max_source_length\": N, \"max_target_length\": N}}}}'",
           options_.data, config_.max_source_length, config_.max_target_length);
    for (const data::TextPair& pair : split.held_out) {
      auto source_size = static_cast<int64_t>(pair.source.size()), target_size = static_cast<int64_t>(pair.target.size());
      if (source_size <= config_.max_source_length && target_size <= config_.max_target_length) {
        source_length = std::max(source_length, source_size);
        target_length = std::max(target_length, target_size);
      }
    }
    data::PairEncoding encoding{.source = data::CharacterVocabulary::build(data::source_reserved_tokens(), sources, config_.min_count),
                                .target = data::CharacterVocabulary::build(data::target_reserved_tokens(), targets, config_.min_count),
                                .source_length = source_length,
                                .target_length = target_length + 1};
    config_.source_characters = encoding.source.characters();
    config_.target_characters = encoding.target.characters();
    config_.model.source_vocab = encoding.source.size();
    config_.model.target_vocab = encoding.target.size();
    config_.model.source_length = encoding.source_length;
    config_.model.target_length = encoding.target_length;
    return encoding;
  }

  const std::vector<data::TextPair>& training_pairs() {
    if (!training_) {
      if (!split_) split_ = split_pairs(options_.data, options_.held_out);
      int64_t too_long = 0;
      training_ = fitting(split_->training, encoding_, too_long);
      if (too_long > 0)
        fmt::print(stderr, "{}: {} of {} training pairs are longer than the model's {} source or {} target characters "
                   "(max_source_length, max_target_length in --config) and are left out\n",
                   options_.data, too_long, split_->training.size(), encoding_.source_length, encoding_.target_length - 1);
      if (training_->empty()) fail("{}: no training pair fits the model's lengths", options_.data);
      order_.emplace(options_.seed, static_cast<int64_t>(training_->size()));
    }
    return *training_;
  }

  // A held-out file is read alone, so that eval measures it with the training data gone.
  const std::vector<data::TextPair>& held_out_pairs() {
    if (split_) return split_->held_out;
    if (!options_.held_out.empty()) {  // read once: periodic evaluation asks again and again
      if (!held_out_file_) held_out_file_ = data::read_pairs(options_.held_out);
      return *held_out_file_;
    }
    std::error_code error;
    if (!options_.data.empty() && !std::filesystem::exists(options_.data, error))
      fail("{}: the held-out pairs are the last 5 % of this file, which is gone; measure another pairs file with eval --data FILE",
           options_.data);
    split_ = split_pairs(options_.data, options_.held_out);
    return split_->held_out;
  }

  std::string held_out_name() const {
    return options_.held_out.empty() ? fmt::format("the last 5 % of {}", options_.data) : options_.held_out;
  }

  PairsConfig config_;
  data::PairEncoding encoding_{.source = {data::source_reserved_tokens(), {}}, .target = {data::target_reserved_tokens(), {}}};
  std::optional<PairSplit> split_;
  std::optional<std::vector<data::TextPair>> held_out_file_;
  std::optional<std::vector<data::TextPair>> training_;
  std::optional<data::EpochOrder> order_;
  uint64_t position_ = 0;
  data::SequenceBatch batch_;
};

}  // namespace

std::unique_ptr<train::Task> make_pairs_task(train::TaskOptions options) { return std::make_unique<PairsTask>(std::move(options)); }

}  // namespace heed::models
