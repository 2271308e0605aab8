// The IDX reader on small files made here: every way a gzipped IDX file can be wrong gives a
// heed::Error that names the file and the problem.
#include "../checkpoint/error_message.hpp"
#include "../support/temp_dir.hpp"
#include "gzip_file.hpp"

#include <heed/data/fashion_mnist.hpp>
#include <heed/data/idx.hpp>

#include <doctest/doctest.h>

using heed::data::idx_images_magic;
using heed::data::idx_labels_magic;
using heed_test::idx_bytes;
using heed_test::TempDir;
using heed_test::write_gzip;

namespace {

std::vector<uint8_t> pixels(size_t images) {
  std::vector<uint8_t> values(images * 28 * 28);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint8_t>(i * 7 % 256);
  return values;
}

// A valid pair of three images and labels in `dir`.
void write_valid(const TempDir& dir) {
  write_gzip(dir / "images.gz", idx_bytes(idx_images_magic, {3, 28, 28}, pixels(3)));
  write_gzip(dir / "labels.gz", idx_bytes(idx_labels_magic, {3}, {0, 9, 4}));
}

}  // namespace

TEST_CASE("a well-formed gzipped IDX pair loads with its counts, labels and normalised pixels") {
  TempDir dir;
  write_valid(dir);
  heed::data::FashionMnist data = heed::data::load_fashion_mnist_files(dir / "images.gz", dir / "labels.gz");
  CHECK(data.count == 3);
  CHECK(data.labels == std::vector<int32_t>{0, 9, 4});
  REQUIRE(data.images.size() == 3 * 28 * 28);
  std::vector<uint8_t> raw = pixels(3);
  for (size_t i : {size_t{0}, size_t{1}, size_t{500}, size_t{2351}})
    CHECK(data.images[i] == doctest::Approx((raw[i] / 255.0 - 0.2860) / 0.3530).epsilon(1e-6));
}

TEST_CASE("an uncompressed IDX file is read too") {
  TempDir dir;
  heed_test::write_file(dir / "labels", idx_bytes(idx_labels_magic, {2}, {1, 2}));
  heed::data::IdxArray labels = heed::data::read_idx(dir / "labels", idx_labels_magic);
  CHECK(labels.dims == std::vector<int64_t>{2});
  CHECK(labels.values == std::vector<uint8_t>{1, 2});
}

TEST_CASE("a label file given as the image file is an error naming both magic numbers") {
  TempDir dir;
  write_valid(dir);
  CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist_files(dir / "labels.gz", dir / "labels.gz"),
                       "labels.gz: wrong magic number 0x00000801 (an IDX label file); expected 0x00000803 (an IDX image file)");
}

TEST_CASE("a file that is not IDX at all is an error saying so") {
  TempDir dir;
  write_gzip(dir / "text.gz", {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "text.gz", idx_labels_magic), "not an IDX file");
}

TEST_CASE("image and label counts that disagree are an error naming both files") {
  TempDir dir;
  write_valid(dir);
  write_gzip(dir / "four_labels.gz", idx_bytes(idx_labels_magic, {4}, {0, 1, 2, 3}));
  CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist_files(dir / "images.gz", dir / "four_labels.gz"),
                       "four_labels.gz holds 4 labels but");
}

TEST_CASE("images that are not 28 x 28 are an error") {
  TempDir dir;
  write_valid(dir);
  write_gzip(dir / "small.gz", idx_bytes(idx_images_magic, {3, 27, 28}, std::vector<uint8_t>(3 * 27 * 28)));
  CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist_files(dir / "small.gz", dir / "labels.gz"),
                       "small.gz: images are 27 x 28; Fashion-MNIST images are 28 x 28");
}

TEST_CASE("a label outside 0..9 is an error naming the image") {
  TempDir dir;
  write_valid(dir);
  write_gzip(dir / "labels.gz", idx_bytes(idx_labels_magic, {3}, {0, 10, 4}));
  CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist_files(dir / "images.gz", dir / "labels.gz"), "label 10 of image 1 is outside 0..9");
}

TEST_CASE("fewer values than the header declares is an error saying how many arrived") {
  TempDir dir;
  write_gzip(dir / "short.gz", idx_bytes(idx_images_magic, {3, 28, 28}, pixels(2)));
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "short.gz", idx_images_magic),
                       "short.gz: truncated: 2352 values of shape [3, 28, 28] needs 2352 bytes but the data ends after 1568");
}

TEST_CASE("more values than the header declares is an error") {
  TempDir dir;
  write_gzip(dir / "long.gz", idx_bytes(idx_labels_magic, {2}, {1, 2, 3}));
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "long.gz", idx_labels_magic), "long.gz: more data follows the values its header declares");
}

TEST_CASE("a gzip stream cut short is an error saying the data is truncated") {
  TempDir dir;
  write_valid(dir);
  std::vector<uint8_t> whole = heed_test::read_file(dir / "images.gz");
  heed_test::write_file(dir / "cut.gz", std::vector<uint8_t>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(whole.size() / 2)));
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "cut.gz", idx_images_magic), "cut.gz: truncated");
}

TEST_CASE("an empty file is an error saying the magic number is missing") {
  TempDir dir;
  heed_test::write_file(dir / "empty.gz", {});
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "empty.gz", idx_images_magic), "empty.gz: truncated: the magic number needs 4 bytes");
}

TEST_CASE("every truncation of a gzipped IDX file is a heed::Error, never a crash") {
  TempDir dir;
  write_valid(dir);
  std::vector<uint8_t> whole = heed_test::read_file(dir / "labels.gz");
  for (size_t size = 0; size < whole.size(); ++size) {
    INFO("cut to ", size, " of ", whole.size(), " bytes");
    heed_test::write_file(dir / "cut.gz", std::vector<uint8_t>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size)));
    CHECK_THROWS_AS(heed::data::read_idx(dir / "cut.gz", idx_labels_magic), heed::Error);
  }
}

TEST_CASE("a corrupted byte in the compressed data or its trailer is a heed::Error, never a crash") {
  TempDir dir;
  write_valid(dir);
  std::vector<uint8_t> whole = heed_test::read_file(dir / "images.gz");
  // Bytes 0-9 are the gzip header, whose time stamp and OS fields zlib rightly ignores.
  for (size_t at = 10; at < whole.size(); ++at) {
    INFO("byte ", at, " of ", whole.size(), " flipped");
    std::vector<uint8_t> corrupt = whole;
    corrupt[at] ^= 0x5a;
    heed_test::write_file(dir / "corrupt.gz", corrupt);
    CHECK_THROWS_AS(heed::data::read_idx(dir / "corrupt.gz", idx_images_magic), heed::Error);
  }
}

TEST_CASE("a header claiming a billion images fails as truncated without allocating them") {
  TempDir dir;
  write_gzip(dir / "huge.gz", idx_bytes(idx_images_magic, {1000000000u, 28, 28}, pixels(1)));
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "huge.gz", idx_images_magic), "huge.gz: truncated");
}

TEST_CASE("dimensions whose product is beyond any real file are an error") {
  TempDir dir;
  write_gzip(dir / "huge.gz", idx_bytes(idx_images_magic, {4000000000u, 4000000000u, 28}, pixels(1)));
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "huge.gz", idx_images_magic), "huge.gz: the dimensions in its header are impossibly large");
}

TEST_CASE("a missing Fashion-MNIST file names the Debian package that provides it") {
  TempDir dir;
  CHECK_ERROR_MENTIONS(heed::data::load_fashion_mnist(heed::data::FashionSplit::train, dir.path()), "apt-get install dataset-fashion-mnist");
  CHECK_ERROR_MENTIONS(heed::data::read_idx(dir / "absent.gz", idx_labels_magic), "absent.gz: no such file");
}
