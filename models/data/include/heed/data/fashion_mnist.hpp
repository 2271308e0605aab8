#pragma once
// Task `fashion-mnist` (shared/MODELS.md section 3): images normalised as torch_models.py does,
// and the 4 x 4 patches the vit model takes.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace heed::data {

inline constexpr std::string_view fashion_mnist_directory = "/usr/share/datasets/fashion-mnist";
inline constexpr float fashion_mnist_mean = 0.2860f;
inline constexpr float fashion_mnist_std = 0.3530f;
inline constexpr int64_t image_side = 28;
inline constexpr int64_t patch_side = 4;
inline constexpr int64_t patch_count = (image_side / patch_side) * (image_side / patch_side);  // 49
inline constexpr int64_t patch_values = patch_side * patch_side;                               // 16
inline constexpr int64_t class_count = 10;

enum class FashionSplit { train, test };  // 60000 and 10000 images

struct FashionMnist {
  int64_t count = 0;
  std::vector<float> images;   // [count, 28, 28] row-major, (pixel / 255 - mean) / std
  std::vector<int32_t> labels;  // [count], 0..9
};

// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz from `directory`. A missing file is a
// heed::Error naming Debian's dataset-fashion-mnist package; a corrupt one says what is wrong.
FashionMnist load_fashion_mnist(FashionSplit split, const std::filesystem::path& directory = fashion_mnist_directory);
// The same from two explicit files.
FashionMnist load_fashion_mnist_files(const std::filesystem::path& images, const std::filesystem::path& labels);

// Images [count, 28, 28] -> patches [count, 49, 16]: patches in row-major order over the 7 x 7
// grid, pixels row-major within a patch (torch_models.patchify).
std::vector<float> patchify(std::span<const float> images, int64_t count);

// The images and labels at `indices`, as the vit model's inputs.
struct ImageBatch {
  int64_t size = 0;
  std::vector<float> patches;   // [size, 49, 16]
  std::vector<int32_t> labels;  // [size]
};
ImageBatch image_batch(const FashionMnist& data, std::span<const int64_t> indices);

}  // namespace heed::data
