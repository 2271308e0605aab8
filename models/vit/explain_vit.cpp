#include "explain_vit.hpp"

#include <heed/data/counter_rng.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace heed::models {

std::vector<float> vit_relevance(const std::vector<HostTensor>& maps, const std::vector<HostTensor>& gradients, train::ExplainMethod method,
                                 int64_t example) {
  // Views into the tensors, so no temporary copy may stand in for them.
  std::span<const HostTensor> used_gradients = method == train::ExplainMethod::grad_attention ? std::span<const HostTensor>(gradients)
                                                                                              : std::span<const HostTensor>();
  train::LayerAttention layers = train::layers_of(maps, used_gradients, example);
  auto n = static_cast<size_t>(layers.n);
  std::vector<float> cls(n, 0.0f), row;
  cls[0] = 1.0f;
  if (method == train::ExplainMethod::attention) {
    row.assign(n, 0.0f);
    std::span<const float> last = layers.maps.back();
    for (int64_t h = 0; h < layers.heads; ++h)
      for (size_t j = 0; j < n; ++j) row[j] += last[static_cast<size_t>(h) * n * n + j] / static_cast<float>(layers.heads);
  } else {
    row = method == train::ExplainMethod::rollout ? train::attention_rollout(layers, cls) : train::gradient_rollout(layers, cls);
  }
  std::vector<float> patches(row.begin() + 1, row.end());  // the CLS token's relevance to itself is not a patch
  float total = std::accumulate(patches.begin(), patches.end(), 0.0f);
  if (total > 0)
    for (float& value : patches) value /= total;
  return patches;
}

train::Evaluation vit_faithfulness(Program& program, const BuiltModel& model, const ViTConfig& config, int64_t count,
                                   const std::function<void(int64_t, std::vector<float>&)>& picture) {
  int64_t batch = model.input("images").dim(0), classes = config.classes, patches = config.patches();
  int64_t grid = config.image / config.patch, size = config.channels * config.image * config.image;
  train::FaithfulnessTally tally({1, 4, 16}, "patches");
  auto probabilities = [&](const std::vector<float>& images) {
    program.run({{model.input("images"), images}});
    return train::class_probabilities(program.read(model.logits));
  };
  auto blank = [&](std::vector<float>& images, int64_t b, int64_t patch) {
    int64_t top = patch / grid * config.patch, left = patch % grid * config.patch;
    for (int64_t c = 0; c < config.channels; ++c)
      for (int64_t y = top; y < top + config.patch; ++y)
        for (int64_t x = left; x < left + config.patch; ++x)
          images[static_cast<size_t>(b * size + (c * config.image + y) * config.image + x)] = 0.0f;
  };
  for (int64_t first = 0; first < count; first += batch) {
    int64_t rows = std::min(batch, count - first);
    std::vector<float> images;
    for (int64_t i = 0; i < batch; ++i) picture(std::min(first + i, count - 1), images);
    std::vector<float> original = probabilities(images);
    std::vector<HostTensor> maps = train::read_all(program, model.attention_maps), gradients = train::read_all(program, model.attention_gradients);
    std::vector<int64_t> predicted;
    for (int64_t b = 0; b < batch; ++b) {
      auto row = std::span<const float>(original).subspan(static_cast<size_t>(b * classes), static_cast<size_t>(classes));
      predicted.push_back(std::max_element(row.begin(), row.end()) - row.begin());
    }
    for (size_t m = 0; m <= std::size(train::explain_methods); ++m) {
      bool random = m == std::size(train::explain_methods);
      std::string removal = random ? "random" : std::string(train::explain_method_name(train::explain_methods[m]));
      std::vector<std::vector<float>> relevance;
      for (int64_t b = 0; b < batch; ++b) {
        if (!random) {
          relevance.push_back(vit_relevance(maps, gradients, train::explain_methods[m], b));
          continue;
        }
        relevance.emplace_back(static_cast<size_t>(patches));
        for (int64_t p = 0; p < patches; ++p)
          relevance.back()[static_cast<size_t>(p)] = static_cast<float>(data::counter_random(static_cast<uint64_t>(first + b), 0, static_cast<uint64_t>(p)) >> 40);
      }
      for (int64_t k : tally.ks()) {
        std::vector<float> masked = images;
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t patch : train::top_positions(relevance[static_cast<size_t>(b)], std::min(k, patches))) blank(masked, b, patch);
        std::vector<float> after = probabilities(masked);
        for (int64_t b = 0; b < rows; ++b) {
          auto at = static_cast<size_t>(b * classes + predicted[static_cast<size_t>(b)]);
          tally.add(removal, k, original[at] - after[at]);
        }
      }
    }
  }
  return tally.evaluation(count);
}

}  // namespace heed::models
