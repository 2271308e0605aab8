// charlm: continue a prompt byte by byte (sampled on the host from the last position's logits),
// and the last layer's attention, averaged over heads, over the final context.
#include "text_task.hpp"
#include "sampling.hpp"

#include <heed/train/explanation.hpp>

#include <algorithm>

namespace heed::models {

namespace {

// The model's window: the last `context` bytes of `text`, zero-padded after. Causal attention
// means the padding never affects the positions before it.
struct Window {
  std::vector<int32_t> tokens;
  size_t length = 0;  // real bytes at the front
};

Window window_of(const std::string& text, size_t context) {
  Window window{std::vector<int32_t>(context, 0), std::min(text.size(), context)};
  size_t first = text.size() - window.length;
  for (size_t i = 0; i < window.length; ++i) window.tokens[i] = static_cast<unsigned char>(text[first + i]);
  return window;
}

}  // namespace

train::Prediction predict_charlm(Program& program, const BuiltModel& model, const train::PredictRequest& options) {
    Tensor tokens = model.input("tokens");
  auto context = static_cast<size_t>(tokens.dim(1));
  int64_t vocab = model.logits.dim(-1);
  std::string prompt = options.input;
  if (prompt.empty()) {  // --index N: the start of held-out window N
    data::TextData text = load_text(options.data, static_cast<int64_t>(context), 0);
    auto part = text.held_out_part();
    size_t start = static_cast<size_t>(std::max<int64_t>(0, options.index)) * context;
    if (start + context / 2 > part.size())
      fail("--index {}: the held-out text has {} windows of {} bytes", options.index, text.validation_windows(), context);
    prompt.assign(part.begin() + static_cast<std::ptrdiff_t>(start), part.begin() + static_cast<std::ptrdiff_t>(start + context / 2));
  }

  std::mt19937_64 random(options.seed);
  std::string text = prompt;
  train::ExplainMethod method = train::parse_explain_method(options.explain);
  std::vector<float> explained(context, 0.0f);  // one-hot: the last real position's prediction
  auto run = [&]() {
    Window window = window_of(text, context);
    if (model.has_input("explained_position")) {
      std::fill(explained.begin(), explained.end(), 0.0f);
      explained[window.length - 1] = 1.0f;
      program.run({{tokens, window.tokens}, {model.input("explained_position"), explained}});
    } else {
      program.run({{tokens, window.tokens}});
    }
    return window;
  };
  Window window = run();
  auto last_logits = [&](const Window& w) {
    HostTensor logits = program.read(model.logits);
    auto row = logits.f32().subspan((w.length - 1) * static_cast<size_t>(vocab), static_cast<size_t>(vocab));
    return std::vector<float>(row.begin(), row.end());
  };
  std::vector<float> next = last_logits(window);
  auto top = top_probabilities(next, 5);
  for (int64_t i = 0; i < options.generate; ++i) {
    text.push_back(static_cast<char>(sample_next(next, options.temperature, options.top_k, random)));
    window = run();
    next = last_logits(window);
  }

  train::Prediction result;
  std::string generated = text.substr(prompt.size());
  result.output = options.generate > 0 ? generated : std::string(1, static_cast<char>(top.front().first));
  // The attention of the last run: the final context (the prompt, plus what was generated).
  HostTensor attention = program.read(model.attention);  // [layers, 1, heads, T, T]
  const Shape& shape = attention.shape();
  size_t layers = static_cast<size_t>(shape[0]), heads = static_cast<size_t>(shape[2]);
  std::string shown = text.substr(text.size() - window.length);
  train::AttentionMap map{.title = fmt::format("charlm: last layer's attention over the context ({} bytes)", window.length),
                   .row_axis = "position (query)", .column_axis = "context (key)", .rows = {}, .columns = {}, .weights = {},
                   .by_row = true};
  nlohmann::json rows = nlohmann::json::array();
  for (size_t q = 0; q < window.length; ++q) {
    std::vector<float> row(window.length, 0.0f);
    for (size_t h = 0; h < heads; ++h) {
      size_t base = (((layers - 1) * heads + h) * context + q) * context;  // batch 1
      for (size_t k = 0; k < window.length; ++k) row[k] += attention.f32()[base + k] / static_cast<float>(heads);
    }
    map.weights.insert(map.weights.end(), row.begin(), row.end());
    rows.push_back(row);
  }
  for (unsigned char c : shown) {
    map.rows.push_back(std::string(1, static_cast<char>(c)));
    map.columns.push_back(std::string(1, static_cast<char>(c)));
  }
  if (method != train::ExplainMethod::attention) {  // the last position's prediction, explained over the context
    std::vector<HostTensor> maps = train::read_all(program, model.attention_maps), gradients = train::read_all(program, model.attention_gradients);
    train::LayerAttention layers = train::layers_of(maps, gradients, 0);
    std::vector<float> relevance = method == train::ExplainMethod::rollout ? train::attention_rollout(layers, explained)
                                                                           : train::gradient_rollout(layers, explained);
    relevance.resize(window.length);
    map.title = fmt::format("charlm: {} of the next byte's prediction over the context ({} bytes)", train::explain_method_name(method),
                            window.length);
    map.rows = {"next"};
    map.weights = relevance;
    map.row_axis = "prediction";
    rows = nlohmann::json::array({relevance});
  }
  nlohmann::json probabilities = nlohmann::json::array();
  std::string listed;
  for (const auto& [byte, p] : top) {
    probabilities.push_back({{"byte", byte}, {"text", std::string(1, static_cast<char>(byte))}, {"probability", p}});
    listed += fmt::format("{}{} {:.1f} %", listed.empty() ? "" : ", ", train::label_of(static_cast<unsigned char>(byte)), 100 * p);
  }
  result.json = {{"model", "charlm"}, {"input", prompt}, {"explain", train::explain_method_name(method)}, {"output", result.output}, {"attention", rows},
                 {"source", map.columns}, {"target", map.rows}, {"next_byte", probabilities}};
  if (options.generate > 0)
    result.json.update({{"generated", generated}, {"temperature", options.temperature}, {"top_k", options.top_k}, {"seed", options.seed}});
  result.notes.push_back(fmt::format("prompt   \"{}\"", prompt));
  result.notes.push_back(fmt::format("next byte after the prompt: {}", listed));
  result.maps.push_back(std::move(map));
  return result;
}

}  // namespace heed::models
