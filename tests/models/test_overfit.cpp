// Each model, trained with AdamW on one fixed batch, drives its loss below 5% of the start
// within 300 steps, on every backend (small configurations, so the suite stays fast).
#include "model_support.hpp"

#include <heed/models/charlm.hpp>
#include <heed/models/seq2seq.hpp>
#include <heed/models/vit.hpp>

#include <random>

namespace {

using namespace heed;

// A fixed batch of valid values for every input of the model.
std::vector<Feed> fixed_batch(const models::BuiltModel& model, std::vector<HostTensor>& storage) {
  std::mt19937 random(7);
  std::vector<Feed> feeds;
  storage.reserve(model.inputs.size());
  for (const auto& [name, tensor] : model.inputs) {
    HostTensor value(tensor.dtype(), tensor.shape());
    if (name == "source_mask") {
      for (float& x : value.f32()) x = 1;
    } else if (tensor.dtype() == i32) {
      uint32_t classes = name == "labels" ? 10 : name == "source" ? 41 : name.starts_with("target_") ? 13 : 256;
      for (int32_t& x : value.i32()) x = static_cast<int32_t>(1 + random() % (classes - 1));
    } else {
      std::normal_distribution<float> normal;
      for (float& x : value.f32()) x = normal(random);
    }
    storage.push_back(std::move(value));
    feeds.push_back({tensor, storage.back()});
  }
  return feeds;
}

void check_overfits(models::BuiltModel model, double lr, const std::string& backend_name) {
  optim::AdamW(*model.graph, {.lr = lr, .weight_decay = 0}).minimize(model.loss);
  Program program = load_backend(backend_name)->compile(*model.graph);
  std::vector<HostTensor> storage;
  std::vector<Feed> feeds = fixed_batch(model, storage);
  program.run(feeds);
  float first = program.read(model.loss).item(), last = first;
  int step = 1;
  for (; step < 300 && last >= 0.05f * first; ++step) {
    program.run(feeds);
    last = program.read(model.loss).item();
  }
  INFO(backend_name << ": loss " << first << " -> " << last << " after " << step << " steps");
  CHECK(last < 0.05f * first);
}

}  // namespace

TEST_CASE("seq2seq overfits one fixed batch") {
  models::Seq2SeqConfig config{.source_length = 10, .target_length = 6, .embedding = 16, .encoder_hidden = 16,
                               .decoder_hidden = 32, .attention = 16};
  for (const std::string& backend : testing::backends_under_test())
    check_overfits(models::build_seq2seq(config, {.batch = 8, .with_attention = false}), 1e-2, backend);
}

TEST_CASE("seq2seq with hard attention overfits one fixed batch") {
  models::Seq2SeqConfig config{.source_length = 10, .target_length = 6, .embedding = 16, .encoder_hidden = 16,
                               .decoder_hidden = 32, .attention = 16, .scoring = nn::Scoring::hard};
  for (const std::string& backend : testing::backends_under_test())
    check_overfits(models::build_seq2seq(config, {.batch = 8, .with_attention = false}), 1e-2, backend);
}

TEST_CASE("charlm overfits one fixed batch") {
  models::CharLMConfig config{.context = 16, .width = 32, .heads = 2, .layers = 2, .mlp = 64};
  for (const std::string& backend : testing::backends_under_test())
    check_overfits(models::build_charlm(config, {.batch = 4, .with_attention = false}), 1e-2, backend);
}

TEST_CASE("vit overfits one fixed batch") {
  models::ViTConfig config{.patch = 7, .width = 32, .heads = 2, .layers = 2, .mlp = 64};
  for (const std::string& backend : testing::backends_under_test())
    check_overfits(models::build_vit(config, {.batch = 16, .with_attention = false}), 3e-3, backend);
}
