#include <heed/data/image_folder.hpp>

#include <heed/error.hpp>

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace heed::data {

namespace {

bool is_picture(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg";
}

std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& directory, bool folders) {
  std::vector<std::filesystem::path> entries;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    std::error_code error;
    if (folders ? entry.is_directory(error) : entry.is_regular_file(error) && is_picture(entry.path())) entries.push_back(entry.path());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

}  // namespace

ImageFolder list_image_folder(const std::filesystem::path& directory, const std::vector<std::string>& labels) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    fail("{}: no such folder of pictures (it should hold one folder per class)", directory.string());
  ImageFolder folder;
  std::vector<std::filesystem::path> classes;
  for (const std::filesystem::path& path : sorted_entries(directory, true))
    if (path.filename() != "test") classes.push_back(path);
  if (classes.empty()) fail("{}: holds no class folders; put each class's pictures in a folder named for the class", directory.string());
  folder.labels = labels;
  if (labels.empty()) {
    for (const std::filesystem::path& path : classes) folder.labels.push_back(path.filename().string());
    if (folder.labels.size() < 2) fail("{}: holds one class folder, {}; a classifier needs at least two", directory.string(), folder.labels[0]);
  }
  for (const std::filesystem::path& path : classes) {
    std::string name = path.filename().string();
    auto found = std::find(folder.labels.begin(), folder.labels.end(), name);
    if (found == folder.labels.end())
      fail("{}: the class folder '{}' is not one of the model's classes", directory.string(), name);
    std::vector<std::filesystem::path> pictures = sorted_entries(path, false);
    if (pictures.empty()) fail("{}: this class folder holds no PNG or JPEG pictures", path.string());
    for (const std::filesystem::path& picture : pictures)
      folder.files.push_back({picture, static_cast<int32_t>(found - folder.labels.begin())});
  }
  return folder;
}

std::vector<uint8_t> load_picture(const std::filesystem::path& path, int64_t side, int64_t channels) {
  int width = 0, height = 0, found = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> decoded(stbi_load(path.c_str(), &width, &height, &found, static_cast<int>(channels == 1 ? 1 : 3)),
                                                    stbi_image_free);
  if (!decoded) fail("{}: cannot decode this picture ({})", path.string(), stbi_failure_reason());
  // stb converts to grey with its own luma, (77 r + 150 g + 29 b) / 256: BT.601 in integers.
  auto size = static_cast<int>(side);
  int planes = static_cast<int>(channels);
  std::vector<uint8_t> interleaved(static_cast<size_t>(size * size * planes));
  if (width == size && height == size) {
    std::copy_n(decoded.get(), interleaved.size(), interleaved.begin());
  } else if (!stbir_resize_uint8(decoded.get(), width, height, 0, interleaved.data(), size, size, 0, planes)) {
    fail("{}: cannot resize this {} x {} picture to {} x {}", path.string(), width, height, size, size);
  }
  std::vector<uint8_t> planar(interleaved.size());  // [channels, side, side]
  for (int p = 0; p < size * size; ++p)
    for (int c = 0; c < planes; ++c) planar[static_cast<size_t>(c * size * size + p)] = interleaved[static_cast<size_t>(p * planes + c)];
  return planar;
}

void append_normalised(const std::vector<uint8_t>& picture, std::vector<float>& out) {
  for (uint8_t value : picture) out.push_back((static_cast<float>(value) / 255.0f - 0.5f) / 0.5f);
}

}  // namespace heed::data
