// Fashion-MNIST: the two IDX files of a split, checked against each other and the model's
// input size, normalised as torch_models.load_fashion_mnist does.
#include <heed/data/fashion_mnist.hpp>
#include <heed/data/idx.hpp>
#include <heed/error.hpp>

namespace heed::data {

namespace {

void require_installed(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error))
    fail("{}: no such file; Fashion-MNIST comes from Debian's dataset-fashion-mnist package: apt-get install dataset-fashion-mnist",
         file.string());
}

}  // namespace

FashionMnist load_fashion_mnist(FashionSplit split, const std::filesystem::path& directory) {
  std::string prefix = split == FashionSplit::train ? "train" : "t10k";
  std::filesystem::path images = directory / (prefix + "-images-idx3-ubyte.gz");
  std::filesystem::path labels = directory / (prefix + "-labels-idx1-ubyte.gz");
  require_installed(images);
  require_installed(labels);
  return load_fashion_mnist_files(images, labels);
}

FashionMnist load_fashion_mnist_files(const std::filesystem::path& images_path, const std::filesystem::path& labels_path) {
  IdxArray images = read_idx(images_path, idx_images_magic);
  if (images.dims[1] != image_side || images.dims[2] != image_side)
    fail("{}: images are {} x {}; Fashion-MNIST images are {} x {}", images_path.string(), images.dims[1], images.dims[2], image_side,
         image_side);
  IdxArray labels = read_idx(labels_path, idx_labels_magic);
  if (labels.dims[0] != images.dims[0])
    fail("{} holds {} labels but {} holds {} images", labels_path.string(), labels.dims[0], images_path.string(), images.dims[0]);

  FashionMnist data;
  data.count = images.dims[0];
  data.labels.reserve(labels.values.size());
  for (size_t i = 0; i < labels.values.size(); ++i) {
    if (labels.values[i] >= class_count)
      fail("{}: label {} of image {} is outside 0..{}", labels_path.string(), labels.values[i], i, class_count - 1);
    data.labels.push_back(labels.values[i]);
  }
  data.images.reserve(images.values.size());
  for (uint8_t pixel : images.values)
    data.images.push_back((static_cast<float>(pixel) / 255.0f - fashion_mnist_mean) / fashion_mnist_std);
  return data;
}

std::vector<float> patchify(std::span<const float> images, int64_t count) {
  const int64_t pixels = image_side * image_side;
  if (count < 0 || static_cast<int64_t>(images.size()) != count * pixels)
    fail("patchify: {} values are not {} images of {} x {}", images.size(), count, image_side, image_side);
  const int64_t grid = image_side / patch_side;
  std::vector<float> patches(images.size());
  size_t out = 0;
  for (int64_t image = 0; image < count; ++image)
    for (int64_t pr = 0; pr < grid; ++pr)
      for (int64_t pc = 0; pc < grid; ++pc)
        for (int64_t r = 0; r < patch_side; ++r)
          for (int64_t c = 0; c < patch_side; ++c)
            patches[out++] = images[static_cast<size_t>(image * pixels + (pr * patch_side + r) * image_side + pc * patch_side + c)];
  return patches;
}

ImageBatch image_batch(const FashionMnist& data, std::span<const int64_t> indices) {
  const auto pixels = static_cast<size_t>(image_side * image_side);
  std::vector<float> images;
  images.reserve(indices.size() * pixels);
  ImageBatch batch;
  batch.size = static_cast<int64_t>(indices.size());
  for (int64_t index : indices) {
    if (index < 0 || index >= data.count) fail("image_batch: index {} is outside the {} images", index, data.count);
    auto first = data.images.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(index) * pixels);
    images.insert(images.end(), first, first + static_cast<std::ptrdiff_t>(pixels));
    batch.labels.push_back(data.labels[static_cast<size_t>(index)]);
  }
  batch.patches = patchify(images, batch.size);
  return batch;
}

}  // namespace heed::data
