#pragma once
// PNG files through libpng's simplified API (png_image), which reports errors as return values
// instead of longjmp, so no C++ object is ever skipped over.
#include <heed/train/image.hpp>

#include <filesystem>
#include <vector>

namespace heed::train {

// Written to `path + ".tmp"` and renamed into place, as every file heed-train writes.
void write_png(const std::filesystem::path& path, const Image& image);

struct GreyImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, 0 black .. 255 white
};
// Any PNG, converted to 8-bit grey.
GreyImage read_grey_png(const std::filesystem::path& path);

}  // namespace heed::train
