// The real Fashion-MNIST files of Debian's dataset-fashion-mnist, and the patch layout of the
// vit model (torch_models.patchify).
#include "../checkpoint/error_message.hpp"

#include <heed/data/fashion_mnist.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>

using heed::data::FashionMnist;
using heed::data::FashionSplit;

namespace {

bool installed() { return std::filesystem::is_directory(heed::data::fashion_mnist_directory); }

}  // namespace

TEST_CASE("the Fashion-MNIST training set has 60000 images of 28 x 28, ten balanced classes, and normalises to mean 0 and std 1") {
  if (!installed()) {
    CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist(FashionSplit::train), "apt-get install dataset-fashion-mnist");
    return;
  }
  FashionMnist data = heed::data::load_fashion_mnist(FashionSplit::train);
  CHECK(data.count == 60000);
  CHECK(data.images.size() == size_t{60000} * 28 * 28);
  REQUIRE(data.labels.size() == 60000);
  std::array<int, 10> per_class{};
  for (int32_t label : data.labels) {
    REQUIRE(label >= 0);
    REQUIRE(label <= 9);
    ++per_class[static_cast<size_t>(label)];
  }
  for (int count : per_class) CHECK(count == 6000);
  double sum = 0, squares = 0;
  for (float v : data.images) {
    sum += v;
    squares += static_cast<double>(v) * v;
  }
  double mean = sum / static_cast<double>(data.images.size());
  double std = std::sqrt(squares / static_cast<double>(data.images.size()) - mean * mean);
  CHECK(std::abs(mean) < 0.01);
  CHECK(std::abs(std - 1.0) < 0.01);
}

TEST_CASE("the Fashion-MNIST test set has 10000 images with labels in 0..9") {
  if (!installed()) {
    CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist(FashionSplit::test), "apt-get install dataset-fashion-mnist");
    return;
  }
  FashionMnist data = heed::data::load_fashion_mnist(FashionSplit::test);
  CHECK(data.count == 10000);
  CHECK(data.images.size() == size_t{10000} * 28 * 28);
  CHECK(data.labels.size() == 10000);
  // Pixels are (p / 255 - 0.2860) / 0.3530: the darkest pixel maps to -0.2860 / 0.3530.
  CHECK(*std::min_element(data.images.begin(), data.images.end()) == doctest::Approx(-0.2860 / 0.3530));
  CHECK(*std::max_element(data.images.begin(), data.images.end()) == doctest::Approx((1 - 0.2860) / 0.3530));
}

TEST_CASE("patchify orders patches row-major over the 7 x 7 grid and pixels row-major within a patch") {
  std::vector<float> images(2 * 28 * 28);
  for (size_t i = 0; i < images.size(); ++i) images[i] = static_cast<float>(i);
  std::vector<float> patches = heed::data::patchify(images, 2);
  REQUIRE(patches.size() == 2 * 49 * 16);
  // As torch_models.self_check: patch (1, 1), number 8, of image 1 is img[1, 4:8, 4:8].
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      CHECK(patches[static_cast<size_t>((1 * 49 + 8) * 16 + r * 4 + c)] == images[static_cast<size_t>(784 + (4 + r) * 28 + 4 + c)]);
  // Patch 13 is grid row 1, column 6: its first pixel is (4, 24).
  CHECK(patches[13 * 16] == images[4 * 28 + 24]);
  CHECK_ERROR_MENTIONS(heed::data::patchify(std::vector<float>(100), 1), "are not 1 images of 28 x 28");
}

TEST_CASE("image_batch gathers the chosen images as patches with their labels") {
  FashionMnist data;
  data.count = 3;
  data.images.resize(3 * 784);
  for (size_t i = 0; i < data.images.size(); ++i) data.images[i] = static_cast<float>(i / 784);  // image k is all k
  data.labels = {7, 8, 9};
  std::vector<int64_t> indices = {2, 0};
  heed::data::ImageBatch batch = heed::data::image_batch(data, indices);
  CHECK(batch.size == 2);
  CHECK(batch.labels == std::vector<int32_t>{9, 7});
  REQUIRE(batch.patches.size() == 2 * 49 * 16);
  CHECK(batch.patches.front() == 2.0f);
  CHECK(batch.patches.back() == 0.0f);
  std::vector<int64_t> outside = {3};
  CHECK_ERROR_MENTIONS(heed::data::image_batch(data, outside), "index 3 is outside the 3 images");
}
