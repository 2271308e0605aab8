#pragma once
// vit on the user's pictures: a folder with one subfolder per class (torchvision's ImageFolder),
// class names stored in the configuration, held-out pictures from DIR/test/<class>/, --valid DIR
// or a fixed tenth, accuracy against the majority class, and a picture's class with its
// attention.
#include <heed/models/model.hpp>

#include <memory>
#include <string>

namespace heed::models {

// Whether `data` names an image folder rather than Fashion-MNIST's IDX files.
bool is_image_folder(const std::string& data);

std::unique_ptr<train::Task> make_image_folder_task(train::TaskOptions options);

}  // namespace heed::models
