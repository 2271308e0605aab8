#pragma once
// vit's task, Fashion-MNIST: epochs over the 60 000 training images, accuracy on the 10 000 test
// images, and an image's class with the CLS attention of each layer laid over it.
#include <heed/data/fashion_mnist.hpp>
#include <heed/models/model.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace heed::models {

// --data for vit: the folder holding the four IDX files; empty: Debian's dataset-fashion-mnist.
std::filesystem::path fashion_directory(const std::string& data);

inline constexpr const char* fashion_class_names[10] = {"t-shirt/top", "trouser", "pullover", "dress", "coat",
                                                        "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};

std::unique_ptr<train::Task> make_fashion_task(train::TaskOptions options);
train::Prediction predict_vit(Program& program, const BuiltModel& model, const train::PredictRequest& request);

}  // namespace heed::models
