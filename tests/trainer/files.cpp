#include "files.hpp"

#include <png.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace trainer_test {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

namespace {

uint64_t header_length(const std::string& bytes) {
  if (bytes.size() < 8) throw std::runtime_error("too short for safetensors");
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = length << 8 | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  if (8 + length > bytes.size()) throw std::runtime_error("header runs past the end");
  return length;
}

}  // namespace

nlohmann::json safetensors_header(const std::filesystem::path& path) {
  std::string bytes = read_file(path);
  return nlohmann::json::parse(bytes.substr(8, header_length(bytes)));
}

void rewrite_metadata(const std::filesystem::path& from, const std::filesystem::path& to, const nlohmann::json& metadata) {
  std::string bytes = read_file(from);
  uint64_t length = header_length(bytes);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, length));
  header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>(text.size() >> (8 * i) & 0xff);
  write_file(to, out + text + bytes.substr(8 + length));
}

std::vector<nlohmann::json> json_lines(const std::filesystem::path& path) {
  std::istringstream text(read_file(path));
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(text, line);)
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

void write_rgb_png(const std::filesystem::path& path, int width, int height, const std::vector<unsigned char>& rgb) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&image, path.c_str(), 0, rgb.data(), 0, nullptr))
    throw std::runtime_error(std::string("cannot write ") + path.string() + ": " + image.message);
}

PngSize decode_png(const std::filesystem::path& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) throw std::runtime_error(std::string("not a PNG: ") + image.message);
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
  bool decoded = png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) != 0;
  PngSize size{static_cast<int>(image.width), static_cast<int>(image.height)};
  png_image_free(&image);
  if (!decoded) throw std::runtime_error("PNG does not decode: " + path.string());
  return size;
}

}  // namespace trainer_test
