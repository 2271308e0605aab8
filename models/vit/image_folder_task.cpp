// vit on an image folder: the pictures decoded once at the model's size, shuffled epochs, accuracy.
#include "image_folder_task.hpp"

#include "explain_vit.hpp"
#include "vit_prediction.hpp"

#include <heed/data/epoch_order.hpp>
#include <heed/data/image_folder.hpp>
#include <heed/data/labelled_text.hpp>
#include <heed/models/config.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace heed::models {

bool is_image_folder(const std::string& data) {
  std::error_code error;
  if (data.empty() || !std::filesystem::is_directory(data, error)) return false;
  for (const char* idx : {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"})
    if (std::filesystem::exists(std::filesystem::path(data) / idx, error)) return false;
  return true;
}

namespace {

bool names_labels(const std::string& config_json) {
  return !config_json.empty() && nlohmann::json::parse(config_json, nullptr, false).contains("labels");
}

// Pictures decoded at the model's size, [count, channels * side * side] bytes, and their classes.
struct Pictures {
  std::vector<uint8_t> bytes;
  std::vector<int32_t> labels;
  std::vector<std::filesystem::path> files;
  int64_t size = 0;  // bytes a picture
  int64_t count() const { return static_cast<int64_t>(labels.size()); }
};

Pictures decode(const std::vector<data::ImageFile>& files, const ViTConfig& config) {
  Pictures pictures;
  pictures.size = config.channels * config.image * config.image;
  for (const data::ImageFile& file : files) {
    std::vector<uint8_t> picture = data::load_picture(file.path, config.image, config.channels);
    pictures.bytes.insert(pictures.bytes.end(), picture.begin(), picture.end());
    pictures.labels.push_back(file.label);
    pictures.files.push_back(file.path);
  }
  return pictures;
}

class ImageFolderTask : public train::Task {
 public:
  explicit ImageFolderTask(train::TaskOptions options)
      : Task(std::move(options)), config_(options_.config_json.empty() ? ViTConfig{} : vit_config(options_.config_json)) {
    if (config_.image % config_.patch != 0)
      fail("vit configuration: patch {} must divide the image size {}", config_.patch, config_.image);
    if (!names_labels(options_.config_json)) {  // a new run: the classes are the folder's
      if (options_.data.empty()) fail("vit on an image folder needs --data DIR");
      config_.labels = data::list_image_folder(options_.data).labels;
      config_.classes = static_cast<int64_t>(config_.labels.size());
    }
  }

  std::string_view model() const override { return "vit"; }
  std::string config_json() const override { return models::config_json(config_); }

  BuiltModel build_training(int64_t batch) const override {
    return build_vit(config_, {.batch = batch, .training = true, .greedy = false, .with_attention = false,
                               .seed = static_cast<uint32_t>(options_.seed)});
  }
  BuiltModel build_inference(int64_t batch, bool with_attention) const override {
    return build_vit(config_, {.batch = batch, .training = false, .greedy = false, .with_attention = with_attention, .seed = 0});
  }

  std::vector<Feed> next_batch(const BuiltModel& model) override {
    load_training();
    int64_t batch = model.input("images").dim(0);
    images_.clear();
    labels_.clear();
    for (int64_t i = 0; i < batch; ++i) {
      int64_t picture = order_->at(position_++);
      append(*training_, picture, images_);
      labels_.push_back(training_->labels[static_cast<size_t>(picture)]);
    }
    return model.feeds({{"images", images_}, {"labels", labels_}});
  }
  uint64_t position() const override { return position_; }
  void seek(uint64_t position) override { position_ = position; }
  int64_t epoch_samples() override {
    load_training();
    return training_->count();
  }

  train::Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) override {
    const Pictures& pictures = held_out();
    int64_t count = limit > 0 ? std::min(limit, pictures.count()) : pictures.count();
    int64_t batch = model.input("images").dim(0), correct = 0;
    std::vector<int64_t> per_class(static_cast<size_t>(config_.classes), 0);
    for (int64_t first = 0; first < count; first += batch) {
      std::vector<float> images;
      for (int64_t i = 0; i < batch; ++i) append(pictures, std::min(first + i, count - 1), images);  // padded with repeats
      program.run({{model.input("images"), images}});
      HostTensor logits = program.read(model.logits);
      for (int64_t i = 0; i < batch && first + i < count; ++i) {
        auto row = logits.f32().subspan(static_cast<size_t>(i * config_.classes), static_cast<size_t>(config_.classes));
        int32_t label = pictures.labels[static_cast<size_t>(first + i)];
        correct += std::max_element(row.begin(), row.end()) - row.begin() == label;
        ++per_class[static_cast<size_t>(label)];
      }
    }
    auto majority = std::max_element(per_class.begin(), per_class.end());
    std::string majority_label = config_.labels[static_cast<size_t>(majority - per_class.begin())];
    double baseline = static_cast<double>(*majority) / static_cast<double>(count);
    train::Evaluation result;
    result.metric = "accuracy";
    result.value = static_cast<double>(correct) / static_cast<double>(count);
    result.values = {{"accuracy", result.value}, {"majority_class", majority_label}, {"majority_accuracy", baseline}, {"images", count}};
    result.summary = fmt::format("accuracy {:.2f} % ({} / {} held-out pictures); always answering the majority class, {}, scores {:.2f} %",
                                 100 * result.value, correct, count, majority_label, 100 * baseline);
    return result;
  }

  train::Prediction predict(Program& program, const BuiltModel& model, const train::PredictRequest& request) override {
    if (request.generate > 0) fail("--generate: of the reference models only charlm generates text; this checkpoint holds vit");
    std::vector<uint8_t> picture;
    int32_t label = -1;
    int64_t index = -1;
    if (!request.input.empty()) {
      picture = data::load_picture(request.input, config_.image, config_.channels);
    } else {
      options_.data = request.data;  // the data --index reads: by default what the model was trained on
      const Pictures& pictures = held_out();
      index = std::max<int64_t>(0, request.index);
      if (index >= pictures.count()) fail("--index {}: there are {} held-out pictures", index, pictures.count());
      auto begin = pictures.bytes.begin() + index * pictures.size;
      picture.assign(begin, begin + pictures.size);
      label = pictures.labels[static_cast<size_t>(index)];
    }
    std::vector<float> input;
    data::append_normalised(picture, input);
    return vit_prediction(program, model, input, grey(picture), static_cast<int>(config_.image), config_.labels, label, index,
                          train::parse_explain_method(request.explain));
  }

  BuiltModel build_explanation(int64_t batch) const override {
    return build_vit(config_, {.batch = batch, .training = false, .greedy = false, .with_attention = true, .seed = 0, .explain = true});
  }

  train::Evaluation faithfulness(Program& program, const BuiltModel& model, int64_t limit) override {
    const Pictures& pictures = held_out();
    int64_t count = limit > 0 ? std::min(limit, pictures.count()) : pictures.count();
    return vit_faithfulness(program, model, config_, count, [&](int64_t index, std::vector<float>& out) { append(pictures, index, out); });
  }

 private:
  // The pictures of the training folder (less the held-out tenth when no other held-out set).
  void load_training() {
    if (training_) return;
    data::ImageFolder folder = data::list_image_folder(options_.data, config_.labels);
    std::vector<data::ImageFile> files;
    for (size_t i = 0; i < folder.files.size(); ++i)
      if (held_out_folder().has_value() || !data::in_held_out_tenth(static_cast<int64_t>(i))) files.push_back(folder.files[i]);
    if (files.empty()) fail("{}: too few pictures to hold out a tenth and train on the rest; give --valid DIR", options_.data);
    fmt::print(stderr, "{}: decoding {} pictures at {} x {}, {}\n", options_.data, files.size(), config_.image, config_.image,
               config_.channels == 1 ? "grey" : "RGB");
    training_ = decode(files, config_);
    order_.emplace(options_.seed, training_->count());
  }

  // --valid (or eval --data), else DIR/test, else none (a tenth of DIR).
  std::optional<std::filesystem::path> held_out_folder() const {
    if (!options_.held_out.empty()) return std::filesystem::path(options_.held_out);
    std::error_code error;
    if (!options_.data.empty() && std::filesystem::is_directory(std::filesystem::path(options_.data) / "test", error))
      return std::filesystem::path(options_.data) / "test";
    return std::nullopt;
  }

  const Pictures& held_out() {
    if (held_out_) return *held_out_;
    std::optional<std::filesystem::path> folder = held_out_folder();
    if (folder) {
      held_out_ = decode(data::list_image_folder(*folder, config_.labels).files, config_);
      return *held_out_;
    }
    std::error_code error;
    if (options_.data.empty() || !std::filesystem::is_directory(options_.data, error))
      fail("{}: the held-out pictures are a tenth of this folder, which is gone; measure another folder with eval --data DIR",
           options_.data.empty() ? std::string("the training folder") : options_.data);
    data::ImageFolder all = data::list_image_folder(options_.data, config_.labels);
    std::vector<data::ImageFile> files;
    for (size_t i = 0; i < all.files.size(); ++i)
      if (data::in_held_out_tenth(static_cast<int64_t>(i))) files.push_back(all.files[i]);
    if (files.empty()) fail("{}: too few pictures for a held-out tenth; give --valid DIR", options_.data);
    held_out_ = decode(files, config_);
    return *held_out_;
  }

  static void append(const Pictures& pictures, int64_t index, std::vector<float>& out) {
    auto begin = pictures.bytes.begin() + index * pictures.size;
    for (auto at = begin; at != begin + pictures.size; ++at) out.push_back((static_cast<float>(*at) / 255.0f - 0.5f) / 0.5f);
  }

  // A picture for people, grey in [0, 1]: BT.601 luma of RGB.
  std::vector<float> grey(const std::vector<uint8_t>& picture) const {
    auto pixels = static_cast<size_t>(config_.image * config_.image);
    std::vector<float> out(pixels);
    for (size_t p = 0; p < pixels; ++p)
      out[p] = config_.channels == 1 ? picture[p] / 255.0f
                                     : (0.299f * picture[p] + 0.587f * picture[pixels + p] + 0.114f * picture[2 * pixels + p]) / 255.0f;
    return out;
  }

  ViTConfig config_;
  std::optional<Pictures> training_, held_out_;
  std::optional<data::EpochOrder> order_;
  uint64_t position_ = 0;
  std::vector<float> images_;
  std::vector<int32_t> labels_;
};

}  // namespace

std::unique_ptr<train::Task> make_image_folder_task(train::TaskOptions options) {
  return std::make_unique<ImageFolderTask>(std::move(options));
}

}  // namespace heed::models
