// vit on Fashion-MNIST: shuffled epochs; accuracy on the 10 000 test images.
#include "fashion_task.hpp"

#include "explain_vit.hpp"

#include <heed/models/config.hpp>
#include <heed/data/epoch_order.hpp>

#include <algorithm>
#include <optional>

namespace heed::models {

std::filesystem::path fashion_directory(const std::string& data) {
  return data.empty() ? std::filesystem::path(data::fashion_mnist_directory) : std::filesystem::path(data);
}

namespace {

models::ViTConfig fashion_config(const std::string& json) {
  models::ViTConfig config = json.empty() ? models::ViTConfig{} : models::vit_config(json);
  if (config.image != data::image_side || config.classes != data::class_count || config.image % config.patch != 0)
    fail("vit configuration: Fashion-MNIST needs image {} and classes {}, and patch must divide the image; got image {}, "
         "classes {}, patch {}",
         data::image_side, data::class_count, config.image, config.classes, config.patch);
  return config;
}

class FashionTask : public train::Task {
 public:
  explicit FashionTask(train::TaskOptions options) : Task(std::move(options)), config_(fashion_config(options_.config_json)) {}

  std::string_view model() const override { return "vit"; }
  std::string config_json() const override { return models::config_json(config_); }

  BuiltModel build_training(int64_t batch) const override {
    return models::build_vit(config_, {.batch = batch, .training = true, .greedy = false, .with_attention = false,
                                       .seed = static_cast<uint32_t>(options_.seed)});
  }
  BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return models::build_vit(config_, {.batch = batch, .training = false, .greedy = false,
                                       .with_attention = with_attention, .seed = 0});
  }

  std::vector<Feed> next_batch(const BuiltModel& model) override {
    const data::FashionMnist& train = training_set();
    int64_t batch = model.input("images").dim(0), pixels = data::image_side * data::image_side;
    images_.resize(static_cast<size_t>(batch * pixels));
    labels_.resize(static_cast<size_t>(batch));
    for (int64_t i = 0; i < batch; ++i, ++position_) {
      int64_t image = order_->at(position_);
      std::copy_n(train.images.begin() + image * pixels, pixels, images_.begin() + i * pixels);
      labels_[static_cast<size_t>(i)] = train.labels[static_cast<size_t>(image)];
    }
    return model.feeds({{"images", images_}, {"labels", labels_}});
  }
  uint64_t position() const override { return position_; }
  void seek(uint64_t position) override { position_ = position; }
  int64_t epoch_samples() override { return training_set().count; }

  train::Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) override {
    // --valid or eval --data: a folder holding Fashion-MNIST's test IDX files.
    if (!test_) test_ = data::load_fashion_mnist(data::FashionSplit::test, fashion_directory(options_.held_out.empty() ? options_.data : options_.held_out));
    int64_t count = limit > 0 ? std::min(limit, test_->count) : test_->count;
    int64_t batch = model.input("images").dim(0), pixels = data::image_side * data::image_side;
    std::vector<float> images(static_cast<size_t>(batch * pixels));
    int64_t correct = 0;
    for (int64_t first = 0; first < count; first += batch) {
      int64_t rows = std::min(batch, count - first);  // a short last batch: the rest stays as it was, ignored
      std::copy_n(test_->images.begin() + first * pixels, rows * pixels, images.begin());
      program.run({{model.input("images"), images}});
      HostTensor logits = program.read(model.logits);
      for (int64_t i = 0; i < rows; ++i) {
        auto row = logits.f32().subspan(static_cast<size_t>(i * data::class_count), data::class_count);
        auto best = std::max_element(row.begin(), row.end()) - row.begin();
        correct += best == test_->labels[static_cast<size_t>(first + i)];
      }
    }
    train::Evaluation result;
    result.metric = "accuracy";
    result.value = static_cast<double>(correct) / static_cast<double>(count);
    result.values = {{"accuracy", result.value}, {"images", count}};
    result.summary = fmt::format("test accuracy {:.2f} % ({} / {} images)", 100 * result.value, correct, count);
    return result;
  }

  train::Prediction predict(Program& program, const BuiltModel& model, const train::PredictRequest& request) override {
    return predict_vit(program, model, request);
  }

  BuiltModel build_explanation(int64_t batch) const override {
    return models::build_vit(config_, {.batch = batch, .training = false, .greedy = false, .with_attention = true, .seed = 0, .explain = true});
  }

  train::Evaluation faithfulness(Program& program, const BuiltModel& model, int64_t limit) override {
    if (!test_) test_ = data::load_fashion_mnist(data::FashionSplit::test, fashion_directory(options_.held_out.empty() ? options_.data : options_.held_out));
    int64_t count = limit > 0 ? std::min(limit, test_->count) : test_->count, pixels = data::image_side * data::image_side;
    return vit_faithfulness(program, model, config_, count, [&](int64_t index, std::vector<float>& out) {
      out.insert(out.end(), test_->images.begin() + index * pixels, test_->images.begin() + (index + 1) * pixels);
    });
  }

 private:
  const data::FashionMnist& training_set() {
    if (!train_) {
      train_ = data::load_fashion_mnist(data::FashionSplit::train, fashion_directory(options_.data));
      order_.emplace(options_.seed, train_->count);
    }
    return *train_;
  }

  models::ViTConfig config_;
  std::optional<data::FashionMnist> train_, test_;
  std::optional<data::EpochOrder> order_;
  uint64_t position_ = 0;
  std::vector<float> images_;
  std::vector<int32_t> labels_;
};

}  // namespace

std::unique_ptr<train::Task> make_fashion_task(train::TaskOptions options) { return std::make_unique<FashionTask>(std::move(options)); }

}  // namespace heed::models
