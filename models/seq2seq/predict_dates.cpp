// seq2seq: a date to ISO form, and the soft attention of every output character over the input.
#include "dates_task.hpp"
#include "explain_seq2seq.hpp"

#include <heed/data/dates.hpp>

#include <algorithm>
#include <cctype>

namespace heed::models {

namespace dates = data::dates;

train::Prediction predict_dates(Program& program, const BuiltModel& model, const train::PredictRequest& options) {
  if (options.generate > 0) fail("--generate: of the reference models only charlm generates text; this checkpoint holds seq2seq");
  std::string source, expected;
  if (!options.input.empty()) {
    source = options.input;
    std::transform(source.begin(), source.end(), source.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  } else {
    dates::Example example = dates::Generator(dates_held_out_seed, dates::Split::held_out).example(static_cast<uint64_t>(std::max<int64_t>(0, options.index)));
    source = example.source;
    expected = example.target;
  }
  std::vector<int32_t> indices = dates::encode_source(source);  // names a character outside the alphabet
  std::vector<float> mask(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) mask[i] = i < source.size() ? 1.0f : 0.0f;

    program.run({{model.input("source"), indices}, {model.input("source_mask"), mask}});
  HostTensor predicted = program.read(model.prediction);
  train::ExplainMethod method = train::parse_explain_method(options.explain);
  std::vector<float> attention = seq2seq_relevance(program, model, method);  // [T, S]
  auto tokens = predicted.i32();
  int64_t source_length = dates::source_length;

  train::Prediction result;
  result.output = dates::decode_target(tokens);
  train::AttentionMap map{.title = fmt::format("\"{}\" -> {}", source, result.output), .row_axis = "output", .column_axis = "input",
                   .rows = {}, .columns = {}, .weights = {}};
  for (unsigned char c : source) map.columns.push_back(std::string(1, static_cast<char>(c)));
  nlohmann::json rows = nlohmann::json::array();
  for (size_t t = 0; t < tokens.size(); ++t) {
    int32_t token = tokens[t];
    bool eos = token == dates::eos;
    bool character = token >= 3 && token - 3 < static_cast<int32_t>(dates::target_alphabet.size());
    map.rows.push_back(eos ? "<eos>" : character ? std::string(1, dates::target_alphabet[static_cast<size_t>(token - 3)]) : "?");
    std::vector<float> row(source.size());
    for (size_t j = 0; j < source.size(); ++j) row[j] = attention[t * static_cast<size_t>(source_length) + j];
    map.weights.insert(map.weights.end(), row.begin(), row.end());
    rows.push_back(row);
    if (eos) break;
  }
  if (method != train::ExplainMethod::attention) map.title += fmt::format(" ({})", train::explain_method_name(method));
  result.json = {{"model", "seq2seq"}, {"input", source}, {"explain", train::explain_method_name(method)}, {"output", result.output}, {"attention", rows},
                 {"source", map.columns}, {"target", map.rows}};
  result.notes.push_back(fmt::format("input    \"{}\"", source));
  if (!expected.empty()) {
    result.json["expected"] = expected;
    result.notes.push_back(fmt::format("expected {} ({})", expected, expected == result.output ? "right" : "wrong"));
  }
  result.maps.push_back(std::move(map));
  return result;
}

}  // namespace heed::models
