#include "pair_prediction.hpp"

#include "explain_seq2seq.hpp"

#include <heed/data/utf8.hpp>

namespace heed::models {

train::Prediction predict_pair(Program& program, const BuiltModel& model, const data::PairEncoding& encoding,
                               const std::u32string& source, const std::optional<std::u32string>& expected,
                               train::ExplainMethod method) {
  train::Prediction result;
  std::vector<std::string> unknown;
  for (char32_t character : source)
    if (!encoding.source.contains(character)) {
      std::string shown = fmt::format("'{}' (U+{:04X})", data::encode_utf8(character), static_cast<uint32_t>(character));
      if (std::find(unknown.begin(), unknown.end(), shown) == unknown.end()) unknown.push_back(shown);
    }
  for (const std::string& character : unknown) {
    std::string warning = fmt::format("warning: {} is not in the source vocabulary; read as <unk>", character);
    fmt::print(stderr, "{}\n", warning);  // on stderr, so that --json output stays one JSON object
  }
  std::vector<int32_t> indices = encoding.encode_source(source);  // too long an input fails here, naming both lengths
  std::vector<float> mask(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) mask[i] = i < source.size() ? 1.0f : 0.0f;
  program.run({{model.input("source"), indices}, {model.input("source_mask"), mask}});
  HostTensor predicted = program.read(model.prediction);
  std::vector<float> attention = seq2seq_relevance(program, model, method);  // [T, S]
  auto tokens = predicted.i32();
  auto source_length = static_cast<size_t>(encoding.source_length);

  std::string input = data::encode_utf8(source);
  result.output = data::encode_utf8(encoding.decode_target(tokens));
  train::AttentionMap map{.title = fmt::format("\"{}\" -> {}", input, result.output), .row_axis = "output", .column_axis = "input",
                          .rows = {}, .columns = {}, .weights = {}};
  for (char32_t character : source) map.columns.push_back(data::encode_utf8(character));
  nlohmann::json rows = nlohmann::json::array();
  for (size_t t = 0; t < tokens.size(); ++t) {
    map.rows.push_back(encoding.target.token(tokens[t]));
    std::vector<float> row(source.size());
    for (size_t j = 0; j < source.size(); ++j) row[j] = attention[t * source_length + j];
    map.weights.insert(map.weights.end(), row.begin(), row.end());
    rows.push_back(row);
    if (tokens[t] == data::pair_eos) break;
  }
  if (method != train::ExplainMethod::attention) map.title += fmt::format(" ({})", train::explain_method_name(method));
  result.json = {{"model", "seq2seq"}, {"input", input}, {"explain", train::explain_method_name(method)}, {"output", result.output}, {"attention", rows},
                 {"source", map.columns}, {"target", map.rows}};
  if (!unknown.empty()) result.json["unknown_characters"] = unknown;
  result.notes.push_back(fmt::format("input    \"{}\"", input));
  if (expected) {
    std::string wanted = data::encode_utf8(*expected);
    result.json["expected"] = wanted;
    result.notes.push_back(fmt::format("expected {} ({})", wanted, wanted == result.output ? "right" : "wrong"));
  }
  result.maps.push_back(std::move(map));
  return result;
}

}  // namespace heed::models
