#pragma once
// Pictures in torchvision's ImageFolder layout: DIR/<class>/<picture>.png|.jpg|.jpeg, one folder
// per class, class names from the folder names in sorted order (a folder named "test" holds the
// held-out pictures instead). Pictures are decoded with stb_image (Debian's libstb) and converted
// to the model's size and channels: resized with stb_image_resize, grey as ITU-R BT.601 luma.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace heed::data {

struct ImageFile {
  std::filesystem::path path;
  int32_t label = 0;
};

struct ImageFolder {
  std::vector<std::string> labels;  // class names; index = class
  std::vector<ImageFile> files;     // sorted by class, then by file name
};

// The pictures of `directory`. With `labels` given (a trained model's classes), every class
// folder must be one of them, and the indices are theirs. A missing folder, a folder with no
// class folder, and a class folder without pictures are heed::Errors naming them.
ImageFolder list_image_folder(const std::filesystem::path& directory, const std::vector<std::string>& labels = {});

// One picture as bytes [channels, side, side] (channels 1: grey, 3: RGB). A file stb_image
// cannot decode is a heed::Error naming it and saying why.
std::vector<uint8_t> load_picture(const std::filesystem::path& path, int64_t side, int64_t channels);

// A picture as the model reads it: [channels, side, side] floats, (value / 255 - 0.5) / 0.5.
void append_normalised(const std::vector<uint8_t>& picture, std::vector<float>& out);

}  // namespace heed::data
