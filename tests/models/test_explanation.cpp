// Explanations: the rollout and gradient arithmetic on small hand-worked maps, and a model built
// to explain computes what it computes otherwise while its attention carries a gradient.
#include "model_support.hpp"

#include <heed/models/vit.hpp>
#include <heed/train/explanation.hpp>

namespace {

using namespace heed;

HostTensor maps_of(std::vector<float> values, int64_t heads, int64_t n) { return HostTensor({1, heads, n, n}, std::move(values)); }

}  // namespace

TEST_CASE("attention rollout of one layer mixes half its head-averaged attention with the residual") {
  std::vector<HostTensor> maps{maps_of({0.2f, 0.8f, 0.6f, 0.4f, 0.4f, 0.6f, 0.6f, 0.4f}, 2, 2)};  // heads average to [[0.3 0.7] ...]
  std::vector<float> start{1.0f, 0.0f};
  std::vector<float> row = train::attention_rollout(train::layers_of(maps, {}, 0), start);
  CHECK(row[0] == doctest::Approx(0.5 + 0.5 * 0.3));
  CHECK(row[1] == doctest::Approx(0.5 * 0.7));
}

TEST_CASE("rollout carries a row through the last layer first") {
  std::vector<HostTensor> maps{maps_of({1.0f, 0.0f, 1.0f, 0.0f}, 1, 2), maps_of({0.0f, 1.0f, 0.0f, 1.0f}, 1, 2)};
  // Layer 2 moves everything to position 1, which layer 1 moves to position 0.
  std::vector<float> start{1.0f, 0.0f};
  std::vector<float> row = train::attention_rollout(train::layers_of(maps, {}, 0), start);
  // start (0.5 I + 0.5 A2) = [0.5, 0.5]; then (0.5 I + 0.5 A1) = [0.5 * 0.5 + 0.5 * 1, 0.5 * 0.5] = [0.75, 0.25]
  CHECK(row[0] == doctest::Approx(0.75));
  CHECK(row[1] == doctest::Approx(0.25));
}

TEST_CASE("grad-attention keeps the positive part of attention times gradient before averaging heads") {
  std::vector<HostTensor> maps{maps_of({0.5f, 0.5f, 0.5f, 0.5f, 0.9f, 0.1f, 0.9f, 0.1f}, 2, 2)};
  std::vector<HostTensor> gradients{maps_of({-2.0f, 4.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f}, 2, 2)};
  std::vector<float> start{1.0f, 0.0f};
  std::vector<float> row = train::gradient_rollout(train::layers_of(maps, gradients, 0), start);
  // head 1: (0.5 * -2)^+ = 0, 0.5 * 4 = 2; head 2: 0.9, 0.1; mean [0.45, 1.05]; plus the identity.
  CHECK(row[0] == doctest::Approx(1.45));
  CHECK(row[1] == doctest::Approx(1.05));
}

TEST_CASE("a vit built to explain gives the same logits, and its attention maps carry the gradient") {
  models::ViTConfig config{.image = 8, .patch = 4, .width = 8, .heads = 2, .layers = 2, .mlp = 16, .classes = 3};
  std::vector<float> images(2 * 8 * 8);
  for (size_t i = 0; i < images.size(); ++i) images[i] = static_cast<float>((i * 7) % 11) / 11.0f - 0.5f;
  for (const std::string& backend_name : testing::backends_under_test()) {
    CAPTURE(backend_name);
    auto backend = load_backend(backend_name);
    train::BuiltModel plain = models::build_vit(config, {.batch = 2, .training = false, .greedy = false, .with_attention = false, .seed = 5});
    train::BuiltModel explaining = models::build_vit(config, {.batch = 2, .training = false, .greedy = false, .with_attention = true, .seed = 5,
                                                              .explain = true});
    explaining.attention_gradients = grad(explaining.explained_score, explaining.attention_maps);
    for (const Tensor& gradient : explaining.attention_gradients) explaining.graph->output(gradient);
    Program first = backend->compile(*plain.graph), second = backend->compile(*explaining.graph);
    first.run({{plain.input("images"), images}});
    second.run({{explaining.input("images"), images}});
    CHECK(testing::compare(second.read(explaining.logits), first.read(plain.logits), 1e-5, 1e-6).empty());
    for (const Tensor& gradient : explaining.attention_gradients) {
      HostTensor values = second.read(gradient);
      CHECK(std::any_of(values.f32().begin(), values.f32().end(), [](float value) { return value != 0.0f; }));
    }
  }
}
