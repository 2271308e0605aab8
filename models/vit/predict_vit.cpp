// vit: the class of a Fashion-MNIST image, and the CLS token's attention of each layer (averaged
// over heads) over the 7 x 7 patches.
#include "fashion_task.hpp"
#include "explain_vit.hpp"
#include "vit_prediction.hpp"

#include "../charlm/sampling.hpp"

#include <heed/train/png_file.hpp>

#include <algorithm>
#include <cmath>

namespace heed::models {

namespace {

// The picture in [0, 1]: a test image (--index) or a grey PNG of the model's size (--input).
std::vector<float> input_image(const train::PredictRequest& options, const std::string& data, int side, int32_t& label) {
  label = -1;
  if (!options.input.empty()) {
    train::GreyImage grey = train::read_grey_png(options.input);
    if (grey.width != side || grey.height != side)
      fail("--input {}: the picture is {} x {} pixels; the model reads {} x {} (light clothing on black, as Fashion-MNIST)",
           options.input, grey.width, grey.height, side, side);
    std::vector<float> image(grey.pixels.size());
    for (size_t i = 0; i < image.size(); ++i) image[i] = grey.pixels[i] / 255.0f;
    return image;
  }
  data::FashionMnist test = data::load_fashion_mnist(data::FashionSplit::test, fashion_directory(data));
  int64_t index = std::max<int64_t>(0, options.index);
  if (index >= test.count) fail("--index {}: the test set has {} images (0 to {})", index, test.count, test.count - 1);
  auto pixels = static_cast<size_t>(side * side);
  std::vector<float> image(pixels);
  for (size_t i = 0; i < pixels; ++i)
    image[i] = test.images[static_cast<size_t>(index) * pixels + i] * data::fashion_mnist_std + data::fashion_mnist_mean;
  label = test.labels[static_cast<size_t>(index)];
  return image;
}

}  // namespace

train::Prediction predict_vit(Program& program, const BuiltModel& model, const train::PredictRequest& options) {
  if (options.generate > 0) fail("--generate: of the reference models only charlm generates text; this checkpoint holds vit");
  int side = static_cast<int>(model.input("images").dim(1));
  int32_t label = -1;
  std::vector<float> image = input_image(options, options.data, side, label);
  std::vector<float> normalised(image.size());
  for (size_t i = 0; i < image.size(); ++i) normalised[i] = (image[i] - data::fashion_mnist_mean) / data::fashion_mnist_std;
  std::vector<std::string> names(std::begin(fashion_class_names), std::end(fashion_class_names));
  return vit_prediction(program, model, normalised, image, side, names, label, label >= 0 ? std::max<int64_t>(0, options.index) : -1,
                        train::parse_explain_method(options.explain));
}

train::Prediction vit_prediction(Program& program, const BuiltModel& model, std::span<const float> input, std::vector<float> picture,
                                 int side, const std::vector<std::string>& labels, int32_t label, int64_t index,
                                 train::ExplainMethod method) {
  program.run({{model.input("images"), input}});
  HostTensor logits = program.read(model.logits);
  auto classes = top_probabilities(logits.f32(), logits.size());
  HostTensor attention = program.read(model.attention);  // [layers, 1, heads, N, N], N = 1 + patches
  const Shape& shape = attention.shape();
  size_t layers = static_cast<size_t>(shape[0]), heads = static_cast<size_t>(shape[2]), tokens = static_cast<size_t>(shape[3]);
  auto grid = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(tokens - 1))));

  auto name = [&](int32_t c) { return c >= 0 && c < static_cast<int32_t>(labels.size()) ? labels[static_cast<size_t>(c)] : std::string("?"); };
  train::Prediction result;
  result.output = name(classes.front().first);
  result.caption = fmt::format("vit: {} - CLS attention by layer", result.output);
  result.image = std::move(picture);
  result.image_side = side;
  nlohmann::json rows = nlohmann::json::array(), patches = nlohmann::json::array(), targets = nlohmann::json::array();
  for (size_t p = 0; p + 1 < tokens; ++p) patches.push_back(fmt::format("r{}c{}", p / grid, p % grid));
  for (size_t layer = 0; layer < layers; ++layer) {
    train::AttentionMap map{.title = fmt::format("layer {}", layer + 1), .row_axis = "patch row", .column_axis = "patch column",
                     .rows = {}, .columns = {}, .weights = std::vector<float>(tokens - 1, 0.0f)};
    for (size_t h = 0; h < heads; ++h) {
      size_t base = ((layer * heads + h) * tokens + 0) * tokens;  // row 0: the CLS token's attention
      for (size_t p = 0; p + 1 < tokens; ++p) map.weights[p] += attention.f32()[base + 1 + p] / static_cast<float>(heads);
    }
    for (size_t i = 0; i < grid; ++i) {
      map.rows.push_back(std::to_string(i));
      map.columns.push_back(std::to_string(i));
    }
    rows.push_back(map.weights);
    targets.push_back(map.title);
    result.maps.push_back(std::move(map));
  }
  if (method != train::ExplainMethod::attention) {  // one map: the method's relevance over the patches
    std::vector<float> relevance = vit_relevance(train::read_all(program, model.attention_maps),
                                                 train::read_all(program, model.attention_gradients), method, 0);
    train::AttentionMap map{.title = std::string(train::explain_method_name(method)), .row_axis = "patch row", .column_axis = "patch column",
                            .rows = {}, .columns = {}, .weights = relevance};
    for (size_t i = 0; i < grid; ++i) {
      map.rows.push_back(std::to_string(i));
      map.columns.push_back(std::to_string(i));
    }
    result.maps = {map};
    rows = nlohmann::json::array({relevance});
    targets = nlohmann::json::array({map.title});
    result.caption = fmt::format("vit: {} - {} of the CLS token", result.output, map.title);
  }
  nlohmann::json probabilities = nlohmann::json::object();
  std::string listed;
  for (size_t i = 0; i < classes.size(); ++i) {
    probabilities[name(classes[i].first)] = classes[i].second;
    if (i < 3) listed += fmt::format("{}{} {:.1f} %", listed.empty() ? "" : ", ", name(classes[i].first), 100 * classes[i].second);
  }
  result.json = {{"model", "vit"}, {"output", result.output}, {"attention", rows}, {"source", patches},
                 {"target", targets}, {"probabilities", probabilities}};
  result.notes.push_back(fmt::format("most likely: {}", listed));
  if (label >= 0) {
    result.json["index"] = index;
    result.json["label"] = name(label);
    result.notes.push_back(fmt::format("held-out image {}: labelled {} ({})", index, name(label), name(label) == result.output ? "right" : "wrong"));
  }
  return result;
}

}  // namespace heed::models
