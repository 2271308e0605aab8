// The sorting task: lists of distinct numbers drawn from a counter-based generator (list k of a
// stream is a pure function of the seed and k, so a checkpoint's position restores the stream
// exactly), exact match on 1000 held-out lists, and one list's prediction with its attention.
#include "pointer_sort.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

namespace pointer_sort {

namespace {

constexpr uint64_t held_out_stream = 0x5e1d0u, held_out_count = 1000;

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// List `index` of stream `stream`: `length` distinct multiples of 1/1000 in [0, 1).
std::vector<float> list(uint64_t stream, uint64_t index, int64_t length) {
  std::vector<int> drawn;
  for (uint64_t draw = 0; static_cast<int64_t>(drawn.size()) < length; ++draw) {
    int value = static_cast<int>(mix(mix(stream) ^ mix(index * 1'000'003 + draw)) % 1000);
    if (std::find(drawn.begin(), drawn.end(), value) == drawn.end()) drawn.push_back(value);
  }
  std::vector<float> values;
  for (int value : drawn) values.push_back(static_cast<float>(value) / 1000);
  return values;
}

std::vector<int32_t> sorted_order(const std::vector<float>& values) {
  std::vector<int32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return values[static_cast<size_t>(a)] < values[static_cast<size_t>(b)]; });
  return order;
}

std::string column_label(size_t i) { return std::string(1, static_cast<char>('a' + i % 26)); }

class SortTask : public heed::train::Task {
 public:
  explicit SortTask(heed::train::TaskOptions options) : Task(std::move(options)), config_(parse_config(options_.config_json)) {
    if (!options_.data.empty()) heed::fail("--data {}: pointer_sort draws its lists and reads no data file", options_.data);
  }

  std::string_view model() const override { return "pointer_sort"; }
  std::string config_json() const override { return pointer_sort::config_json(config_); }

  heed::train::BuiltModel build_training(int64_t batch) const override {
    return build(config_, {.batch = batch, .training = true, .with_attention = false, .seed = static_cast<uint32_t>(options_.seed)});
  }
  heed::train::BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return build(config_, {.batch = batch, .training = false, .with_attention = with_attention, .seed = 0});
  }

  std::vector<heed::Feed> next_batch(const heed::train::BuiltModel& model) override {
    fill(model.input("values").dim(0), options_.seed, position_);
    position_ += static_cast<uint64_t>(model.input("values").dim(0));
    return model.feeds({{"values", values_}, {"order", order_}});
  }
  uint64_t position() const override { return position_; }
  void seek(uint64_t position) override { position_ = position; }

  heed::train::Evaluation evaluate(heed::Program& program, const heed::train::BuiltModel& model, int64_t limit) override {
    const int64_t count = limit > 0 ? std::min<int64_t>(limit, held_out_count) : held_out_count, n = config_.length;
    const int64_t batch = model.input("values").dim(0);
    int64_t exact = 0, places = 0;
    for (int64_t first = 0; first < count; first += batch) {
      fill(batch, held_out_stream, static_cast<uint64_t>(first));
      program.run({{model.input("values"), values_}});
      heed::HostTensor predicted = program.read(model.prediction);
      for (int64_t i = 0; i < batch && first + i < count; ++i) {
        int64_t right = 0;
        for (int64_t t = 0; t < n; ++t) right += predicted.i32()[static_cast<size_t>(i * n + t)] == order_[static_cast<size_t>(i * n + t)];
        places += right;
        exact += right == n;
      }
    }
    heed::train::Evaluation result;
    result.metric = "exact_match";
    result.value = static_cast<double>(exact) / static_cast<double>(count);
    double place_accuracy = static_cast<double>(places) / static_cast<double>(count * n);
    result.values = {{"exact_match", result.value}, {"place_accuracy", place_accuracy}, {"examples", count}};
    result.summary = fmt::format("exact match {:.2f} % ({} / {} held-out lists sorted), place accuracy {:.2f} %", 100 * result.value,
                                 exact, count, 100 * place_accuracy);
    return result;
  }

  heed::train::Prediction predict(heed::Program& program, const heed::train::BuiltModel& model,
                                  const heed::train::PredictRequest& request) override {
    if (request.generate > 0) heed::fail("--generate: pointer_sort sorts a list and generates nothing");
    std::vector<float> values = request.input.empty() ? list(held_out_stream, static_cast<uint64_t>(std::max<int64_t>(0, request.index)), config_.length)
                                                      : parse_list(request.input);
    program.run({{model.input("values"), values}});
    heed::HostTensor chosen = program.read(model.prediction), attention = program.read(model.attention);
    std::vector<int32_t> expected = sorted_order(values);

    heed::train::Prediction result;
    heed::train::AttentionMap map{.title = "pointer_sort: each output place's attention over the inputs", .row_axis = "output place (the number it picks)",
                                  .column_axis = "input (a, b, c, ...)"};
    std::vector<std::string> inputs, outputs;
    for (size_t i = 0; i < values.size(); ++i) {
      map.columns.push_back(column_label(i));
      inputs.push_back(fmt::format("{}={:g}", column_label(i), values[i]));
    }
    for (size_t t = 0; t < values.size(); ++t) {
      auto index = static_cast<size_t>(chosen.i32()[t]);
      outputs.push_back(fmt::format("{:g}", values[index]));
      map.rows.push_back(fmt::format("{:g}", values[index]));
    }
    map.weights.assign(attention.f32().begin(), attention.f32().end());
    result.output = fmt::format("{}", fmt::join(outputs, " "));
    std::vector<std::string> want;
    for (int32_t index : expected) want.push_back(fmt::format("{:g}", values[static_cast<size_t>(index)]));
    std::string right = fmt::format("{}", fmt::join(want, " "));
    result.notes = {fmt::format("input    {}", fmt::join(inputs, " ")),
                    fmt::format("expected {} ({})", right, right == result.output ? "right" : "wrong")};
    nlohmann::json rows = nlohmann::json::array();
    for (size_t t = 0; t < values.size(); ++t)
      rows.push_back(std::vector<float>(map.weights.begin() + static_cast<std::ptrdiff_t>(t * values.size()),
                                        map.weights.begin() + static_cast<std::ptrdiff_t>((t + 1) * values.size())));
    result.json = {{"model", "pointer_sort"}, {"input", values}, {"output", result.output}, {"expected", right},
                   {"attention", rows}, {"source", map.columns}, {"target", map.rows}};
    result.caption = fmt::format("pointer_sort: sorted {}", result.output);
    result.maps.push_back(std::move(map));
    return result;
  }

 private:
  // A batch of `batch` lists starting at list `first` of `stream`, into values_ and order_.
  void fill(int64_t batch, uint64_t stream, uint64_t first) {
    values_.clear();
    order_.clear();
    for (int64_t i = 0; i < batch; ++i) {
      std::vector<float> values = list(stream, first + static_cast<uint64_t>(i), config_.length);
      std::vector<int32_t> order = sorted_order(values);
      values_.insert(values_.end(), values.begin(), values.end());
      order_.insert(order_.end(), order.begin(), order.end());
    }
  }

  std::vector<float> parse_list(const std::string& text) const {
    std::string spaced = text;
    std::replace(spaced.begin(), spaced.end(), ',', ' ');
    std::istringstream stream(spaced);
    std::vector<float> values;
    std::string word;
    while (stream >> word) {
      size_t used = 0;
      float value = 0;
      try {
        value = std::stof(word, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != word.size()) heed::fail("--input: '{}' is not a number; give {} numbers, e.g. \"0.42 0.17 0.9 ...\"", word, config_.length);
      values.push_back(value);
    }
    if (static_cast<int64_t>(values.size()) != config_.length)
      heed::fail("--input: this model sorts lists of {} numbers, got {}", config_.length, values.size());
    return values;
  }

  Config config_;
  uint64_t position_ = 0;
  std::vector<float> values_;
  std::vector<int32_t> order_;
};

int64_t product(int64_t m, int64_t n, int64_t k) { return 2 * m * n * k; }

}  // namespace

heed::train::ModelRegistration registration() {
  return {.name = "pointer_sort",
          .task = "sorting: a pointer network picks the next smallest number by attending to it",
          .metric = "exact match on 1000 held-out lists",
          .data_help = "draws its lists, reads no data",
          .input_help = "numbers to sort, e.g. \"0.42 0.17 0.9 0.05 0.33 0.71 0.6 0.28\"",
          .defaults = {.steps = 3000, .epochs = 0, .batch = 64, .lr = 2e-3, .warmup = 200, .eval_every = 1000, .eval_batch = 250},
          .build = [](const std::string& config, const heed::train::BuildOptions& options) { return build(parse_config(config), options); },
          .make_task = [](heed::train::TaskOptions options) -> std::unique_ptr<heed::train::Task> {
            return std::make_unique<SortTask>(std::move(options));
          },
          .forward_matmul_flops = [](const std::string& json, int64_t batch) {
            Config c = parse_config(json);
            const int64_t n = c.length, d = c.width;
            int64_t layer = product(n, 3 * d, d) + product(n, d, d) + 2 * product(n, 4 * d, d) + 2 * product(n, n, d);
            return batch * (c.layers * layer + product(n, d, d) + product(n, n, d));
          }};
}

}  // namespace pointer_sort
