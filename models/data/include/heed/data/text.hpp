#pragma once
// Task `text` (shared/MODELS.md section 2): a byte-level corpus cut into next-byte windows, the
// last held_out_fraction kept for validation, as TextData of shared/bench/torch_models.py.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace heed::data {

inline constexpr std::string_view fortunes_directory = "/usr/share/games/fortunes";

// The default corpus: the regular files without an extension in `directory`, sorted by name and
// concatenated (as load_fortunes in torch_models.py). A missing corpus is a heed::Error naming
// the Debian package that provides it.
std::vector<uint8_t> load_fortunes(const std::filesystem::path& directory = fortunes_directory);
std::vector<uint8_t> read_bytes(const std::filesystem::path& path);

struct TextOptions {
  int64_t context = 128;           // T
  double held_out_fraction = 0.05;
  uint64_t seed = 0;
};

// x [size, T] input bytes, y [size, T] the bytes that follow them (x shifted by one), row-major.
struct TextBatch {
  int64_t size = 0;
  int64_t context = 0;
  std::vector<int32_t> x;
  std::vector<int32_t> y;
};

class TextData {
 public:
  // `source` names the corpus in error messages (a file path, "fortunes").
  TextData(std::vector<uint8_t> corpus, TextOptions options = {}, std::string source = "text corpus");
  static TextData from_file(const std::filesystem::path& path, TextOptions options = {});
  static TextData fortunes(TextOptions options = {}, const std::filesystem::path& directory = fortunes_directory);

  // n windows at random starts in the training part; window k of the stream depends only on
  // (seed, k), so position()/seek() resume it exactly.
  TextBatch batch(int64_t n);
  // The held-out part in consecutive windows of T inputs and T targets (window w starts at
  // byte w * T), n windows a batch; the last batch may hold fewer. Empty if the held-out part is
  // shorter than T + 1 bytes.
  std::vector<TextBatch> validation_batches(int64_t n) const;
  int64_t validation_windows() const;

  std::span<const uint8_t> training_part() const { return {corpus_.data(), static_cast<size_t>(split_)}; }
  std::span<const uint8_t> held_out_part() const { return std::span<const uint8_t>(corpus_).subspan(static_cast<size_t>(split_)); }
  int64_t context() const { return options_.context; }
  uint64_t position() const { return position_; }
  void seek(uint64_t position) { position_ = position; }

 private:
  TextBatch windows(std::span<const uint8_t> part, std::span<const int64_t> starts) const;

  std::vector<uint8_t> corpus_;
  TextOptions options_;
  int64_t split_ = 0;  // bytes [0, split_) train, [split_, size) held out
  uint64_t position_ = 0;
};

}  // namespace heed::data
