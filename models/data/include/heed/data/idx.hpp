#pragma once
// IDX files (the MNIST format), plain or gzip-compressed, read through zlib. Only unsigned-byte
// files are needed (images and labels), and everything the header claims is checked.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace heed::data {

inline constexpr uint32_t idx_labels_magic = 0x00000801;  // unsigned bytes, 1 dimension
inline constexpr uint32_t idx_images_magic = 0x00000803;  // unsigned bytes, 3 dimensions

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;  // row-major
};

// Reads the file and checks its magic number equals `expected_magic`, that it holds exactly
// the values its dimensions say and that the gzip stream is intact. Anything else is a
// heed::Error naming the file and what is wrong.
IdxArray read_idx(const std::filesystem::path& path, uint32_t expected_magic);

}  // namespace heed::data
