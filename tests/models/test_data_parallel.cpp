// Data-parallel training of each reference model on a thread group: two ranks at batch B/2, each
// drawing its half of the training stream (seek to its share, as heed-train shards it), take
// the step one process takes at batch B. seq2seq on pairs of different lengths shows that the
// ranks' means are weighed by their counted tokens.
#include "model_support.hpp"
#include "../support/ranks.hpp"
#include "../support/temp_dir.hpp"

#include <heed/models/reference_models.hpp>
#include <heed/train/registry.hpp>

#include <fstream>

namespace {

using namespace heed;

struct Step {
  std::vector<HostTensor> gradients, parameters;
  float loss = 0;
};

// One step of `task`'s model at `batch` from stream position `position`. With a communicator,
// the model is trained across its ranks.
Step step(train::Task& task, int64_t batch, uint64_t position, Communicator* communicator) {
  train::BuiltModel model = task.build_training(batch);
  REQUIRE_MESSAGE(model.loss_weight.valid(), task.model() << " gives no loss weight");
  // SGD: AdamW's first step moves each parameter by lr * g / (|g| + eps), which turns the last
  // bits of a gradient near eps into a different step; SGD's step shows the gradients as they are.
  optim::SGD optimizer(*model.graph, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
  std::vector<Tensor> gradients;
  Tensor loss = model.loss;
  if (communicator) {
    optim::RankMeans means = optimizer.minimize_across_ranks(model.loss, model.loss_weight);
    gradients = means.gradients;
    loss = means.loss;
  } else {
    gradients = optimizer.minimize(model.loss);
  }
  for (const Tensor& gradient : gradients) model.graph->output(gradient);
  Program program = load_backend("cpu")->compile(*model.graph, {.communicator = communicator});
  task.seek(position);
  program.run(task.next_batch(model));
  Step result;
  for (const Tensor& gradient : gradients) result.gradients.push_back(program.read(gradient));
  for (const Tensor& parameter : model.parameters()) result.parameters.push_back(program.read(parameter));
  result.loss = program.read(loss).item();
  return result;
}

void check_two_ranks_equal_one(const std::string& model, const std::string& data, int64_t batch) {
  INFO("model " << model);
  models::register_reference_models();
  auto task = [&] { return train::make_task(model, {.config_json = {}, .data = data, .held_out = {}, .seed = 3}); };
  auto whole_task = task();
  Step one = step(*whole_task, batch, 0, nullptr);

  auto ranks = thread_group(2);
  std::vector<std::unique_ptr<train::Task>> tasks;
  for (int rank = 0; rank < 2; ++rank) tasks.push_back(task());
  std::vector<Step> steps(2);
  std::vector<std::string> errors = heed::test::on_every_rank(ranks, [&](Communicator& communicator) {
    auto rank = static_cast<size_t>(communicator.rank());
    steps[rank] = step(*tasks[rank], batch / 2, static_cast<uint64_t>(batch / 2) * rank, &communicator);
  });
  for (const std::string& error : errors) REQUIRE_MESSAGE(error.empty(), error);
  // Relative to the largest gradient of the model: a gradient that is rounding noise around zero
  // (an output bias whose softmax terms cancel) has no digits of its own to compare.
  double scale = 0;
  for (const HostTensor& gradient : one.gradients)
    for (float value : gradient.f32()) scale = std::max(scale, static_cast<double>(std::abs(value)));
  for (const Step& rank : steps) {
    CHECK(std::abs(rank.loss - one.loss) <= 1e-6 * std::abs(one.loss));
    for (size_t i = 0; i < one.gradients.size(); ++i) {
      std::string difference = testing::compare(rank.gradients[i], one.gradients[i], 0, 1e-5 * scale);
      CHECK_MESSAGE(difference.empty(), "gradient " << i << ": " << difference);
    }
    for (size_t i = 0; i < one.parameters.size(); ++i) {
      std::string difference = testing::compare(rank.parameters[i], one.parameters[i], 1e-6, 1e-7);
      CHECK_MESSAGE(difference.empty(), "parameter " << i << ": " << difference);
    }
  }
}

TEST_CASE("two ranks at half the batch take one process's step: seq2seq on dates") { check_two_ranks_equal_one("seq2seq", "", 8); }
TEST_CASE("two ranks at half the batch take one process's step: charlm") { check_two_ranks_equal_one("charlm", "", 8); }
TEST_CASE("two ranks at half the batch take one process's step: vit") { check_two_ranks_equal_one("vit", "", 8); }
TEST_CASE("two ranks at half the batch take one process's step: classify") { check_two_ranks_equal_one("classify", "", 8); }

TEST_CASE("two ranks weigh their means by counted tokens: seq2seq on pairs whose targets differ in length") {
  heed_test::TempDir folder;
  {
    std::ofstream pairs(folder / "pairs.tsv");
    // Targets of 1 to 31 characters: the ranks' halves of a batch count different numbers of tokens.
    for (int i = 0; i < 64; ++i) pairs << "word " << i << "\t" << std::string(static_cast<size_t>(1 + (i * i) % 31), static_cast<char>('a' + i % 26)) << "\n";
  }
  check_two_ranks_equal_one("seq2seq", folder / "pairs.tsv", 8);
}

}  // namespace
