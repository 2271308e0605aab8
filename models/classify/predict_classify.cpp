// classify: a text's class, the probability of each class, and the attention pooling's weights
// summed over each word (the bytes between spaces), the unit people read.
#include "text_classes_task.hpp"

#include "explain_classify.hpp"

#include "../charlm/sampling.hpp"

#include <heed/data/utf8.hpp>

#include <algorithm>
#include <numeric>

namespace heed::models {

namespace {

struct Word {
  std::string text;
  double weight = 0;
};

// The bytes of `text` that the model read, grouped into words at whitespace; whitespace's own
// weight goes to no word.
std::vector<Word> words(const std::string& text, std::span<const float> weights) {
  std::vector<Word> result;
  bool in_word = false;
  for (size_t i = 0; i < weights.size() && i < text.size(); ++i) {
    bool space = text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r';
    if (space) {
      in_word = false;
      continue;
    }
    if (!in_word) result.emplace_back();
    in_word = true;
    result.back().text.push_back(text[i]);
    result.back().weight += weights[i];
  }
  return result;
}

}  // namespace

train::Prediction predict_classify(Program& program, const BuiltModel& model, const ClassifyConfig& config, const std::string& text,
                                   int32_t label, train::ExplainMethod method) {
  std::vector<int32_t> tokens;
  std::vector<float> mask;
  bool cut = data::append_bytes(text, config.context, tokens, mask);
  program.run({{model.input("text"), tokens}, {model.input("text_mask"), mask}});
  HostTensor logits = program.read(model.logits);
  auto read = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(text.size()), config.context));
  std::vector<float> weights;
  if (method == train::ExplainMethod::attention) {
    HostTensor attention = program.read(model.attention);  // [1, L]
    weights.assign(attention.f32().begin(), attention.f32().begin() + static_cast<std::ptrdiff_t>(read));
  } else {
    weights = classify_relevance(config, read_explanation(program, model), method, 0, static_cast<int64_t>(read));
  }
  auto classes = top_probabilities(logits.f32(), config.classes());
  auto name = [&](int32_t c) { return config.labels[static_cast<size_t>(c)]; };

  train::Prediction result;
  result.output = name(classes.front().first);
  std::vector<Word> grouped = words(text, weights);
  std::string shown = method == train::ExplainMethod::attention ? "attention" : std::string(train::explain_method_name(method));
  train::AttentionMap map{.title = fmt::format("{} ({:.1f} %): {} over the words", result.output, 100 * classes.front().second, shown),
                          .row_axis = "class", .column_axis = "word", .rows = {result.output}, .columns = {}, .weights = {},
                          .by_row = false, .running_text = true};
  nlohmann::json word_json = nlohmann::json::array();
  for (const Word& word : grouped) {
    map.columns.push_back(word.text);
    map.weights.push_back(static_cast<float>(word.weight));
    word_json.push_back({{"word", word.text}, {"weight", word.weight}});
  }
  result.caption = fmt::format("classify: {} ({:.1f} %) - {} over the words", result.output, 100 * classes.front().second, shown);

  nlohmann::json probabilities = nlohmann::json::object();
  std::string listed;
  for (const auto& [c, probability] : classes) {
    probabilities[name(c)] = probability;
    listed += fmt::format("{}{} {:.1f} %", listed.empty() ? "" : ", ", name(c), 100 * probability);
  }
  std::vector<size_t> order(grouped.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return grouped[a].weight > grouped[b].weight; });
  std::string top;
  for (size_t i = 0; i < std::min<size_t>(5, order.size()); ++i)
    top += fmt::format("{}\"{}\" {:.1f} %", top.empty() ? "" : ", ", grouped[order[i]].text, 100 * grouped[order[i]].weight);

  result.json = {{"model", "classify"}, {"input", text}, {"output", result.output}, {"probability", classes.front().second},
                 {"probabilities", probabilities}, {"attention", nlohmann::json::array({weights})}, {"explain", shown},
                 {"source", nlohmann::json::array()}, {"target", {result.output}}, {"words", word_json}};
  for (size_t i = 0; i < read; ++i) result.json["source"].push_back(std::string(1, text[i]));
  result.notes.push_back(fmt::format("classes  {}", listed));
  result.notes.push_back(fmt::format("attended {}", top));
  if (cut) result.notes.push_back(fmt::format("note     the text is {} bytes; the model read its first {}", text.size(), config.context));
  if (label >= 0) {
    result.json["label"] = name(label);
    result.notes.push_back(fmt::format("labelled {} ({})", name(label), name(label) == result.output ? "right" : "wrong"));
  }
  result.maps.push_back(std::move(map));
  return result;
}

}  // namespace heed::models
