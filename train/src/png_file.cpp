#include <heed/train/png_file.hpp>

#include <heed/error.hpp>

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <unistd.h>

namespace heed::train {

namespace {

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// Frees what libpng allocated for a png_image on every path out, success or error.
class PngImage {
 public:
  PngImage() {
    std::memset(&image_, 0, sizeof image_);
    image_.version = PNG_IMAGE_VERSION;
  }
  ~PngImage() { png_image_free(&image_); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
  png_image* operator->() { return &image_; }
  png_image* get() { return &image_; }

 private:
  png_image image_;
};

}  // namespace

void write_png(const std::filesystem::path& path, const Image& image) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::unique_ptr<std::FILE, CloseFile> file(std::fopen(temporary.c_str(), "wb"));
    if (!file) fail("--png {}: cannot create {}: {}", path.string(), temporary.string(), std::strerror(errno));
    PngImage png;
    png->width = static_cast<png_uint_32>(image.width());
    png->height = static_cast<png_uint_32>(image.height());
    png->format = PNG_FORMAT_RGB;
    bool written = png_image_write_to_stdio(png.get(), file.get(), 0, image.rgb().data(), 0, nullptr) != 0;
    std::string message = written ? "" : png->message;
    written = written && std::fflush(file.get()) == 0 && ::fsync(::fileno(file.get())) == 0;
    if (!written) {
      file.reset();
      std::filesystem::remove(temporary);
      fail("--png {}: writing failed: {}", path.string(), message.empty() ? std::strerror(errno) : message);
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) fail("--png {}: cannot rename {} over it: {}", path.string(), temporary.string(), error.message());
}

GreyImage read_grey_png(const std::filesystem::path& path) {
  PngImage png;
  if (!png_image_begin_read_from_file(png.get(), path.c_str())) fail("{}: not a readable PNG: {}", path.string(), png->message);
  png->format = PNG_FORMAT_GRAY;
  GreyImage grey;
  grey.width = static_cast<int>(png->width);
  grey.height = static_cast<int>(png->height);
  grey.pixels.resize(PNG_IMAGE_SIZE(*png.get()));
  if (!png_image_finish_read(png.get(), nullptr, grey.pixels.data(), 0, nullptr))
    fail("{}: decoding failed: {}", path.string(), png->message);
  return grey;
}

}  // namespace heed::train
