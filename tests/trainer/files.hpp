#pragma once
// Reading what heed-train wrote, independently of heed-train's own code: safetensors headers,
// metrics.jsonl lines, PNG sizes (decoded with libpng).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace trainer_test {

// The JSON header of a .safetensors file (tensor entries and __metadata__).
nlohmann::json safetensors_header(const std::filesystem::path& path);
// The same file with its __metadata__ replaced, written to `to`.
void rewrite_metadata(const std::filesystem::path& from, const std::filesystem::path& to, const nlohmann::json& metadata);

std::vector<nlohmann::json> json_lines(const std::filesystem::path& path);

struct PngSize {
  int width = 0, height = 0;
};
PngSize decode_png(const std::filesystem::path& path);  // throws if libpng cannot decode it
// Writes `rgb` ([height, width, 3] bytes) as a PNG file.
void write_rgb_png(const std::filesystem::path& path, int width, int height, const std::vector<unsigned char>& rgb);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

}  // namespace trainer_test
