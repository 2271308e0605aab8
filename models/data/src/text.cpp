// Task `text`: byte windows over a corpus, with the same split and validation walk as
// TextData in shared/bench/torch_models.py.
#include <heed/data/counter_rng.hpp>
#include <heed/data/text.hpp>
#include <heed/error.hpp>

#include <algorithm>
#include <fstream>

namespace heed::data {

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) fail("text: {}: no such file", path.string());
  if (!std::filesystem::is_regular_file(status)) fail("text: {}: not a regular file", path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("text: {}: cannot open it for reading", path.string());
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail("text: {}: reading failed", path.string());
  return bytes;
}

std::vector<uint8_t> load_fortunes(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    fail("text: the fortunes corpus is not installed ({} not found); it comes from Debian's fortunes package: apt-get install fortunes",
         directory.string());
  // The text files are those without an extension; *.dat are indexes, *.u8 links to the text.
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    std::string name = entry.path().filename().string();
    if (name.find('.') != std::string::npos || entry.is_symlink() || !entry.is_regular_file()) continue;
    files.push_back(entry.path());
  }
  if (files.empty())
    fail("text: {} holds no fortune files; they come from Debian's fortunes package: apt-get install fortunes", directory.string());
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.filename().string() < b.filename().string(); });
  std::vector<uint8_t> corpus;
  for (const auto& file : files) {
    std::vector<uint8_t> bytes = read_bytes(file);
    corpus.insert(corpus.end(), bytes.begin(), bytes.end());
  }
  return corpus;
}

TextData::TextData(std::vector<uint8_t> corpus, TextOptions options, std::string source) : corpus_(std::move(corpus)), options_(options) {
  const int64_t size = static_cast<int64_t>(corpus_.size());
  const int64_t context = options_.context;
  if (context < 1) fail("text: {}: the context must be at least 1, got {}", source, context);
  if (!(options_.held_out_fraction >= 0.0 && options_.held_out_fraction < 1.0))
    fail("text: {}: the held-out fraction must be in [0, 1), got {}", source, options_.held_out_fraction);
  if (size < context + 2)
    fail("text: {}: {} bytes is too short; windows of context {} need at least {} bytes", source, size, context, context + 2);
  // Truncated as Python's int() does, so the split byte is the one torch_models.py uses.
  split_ = static_cast<int64_t>(static_cast<double>(size) * (1.0 - options_.held_out_fraction));
  if (split_ < context + 2)
    fail("text: {}: the training part ({} of {} bytes) is too short for windows of context {} (needs at least {} bytes)", source, split_,
         size, context, context + 2);
}

TextData TextData::from_file(const std::filesystem::path& path, TextOptions options) {
  return TextData(read_bytes(path), options, path.string());
}

TextData TextData::fortunes(TextOptions options, const std::filesystem::path& directory) {
  return TextData(load_fortunes(directory), options, fmt::format("the fortunes corpus in {}", directory.string()));
}

TextBatch TextData::windows(std::span<const uint8_t> part, std::span<const int64_t> starts) const {
  const int64_t context = options_.context;
  TextBatch batch{static_cast<int64_t>(starts.size()), context, {}, {}};
  batch.x.reserve(starts.size() * static_cast<size_t>(context));
  batch.y.reserve(starts.size() * static_cast<size_t>(context));
  for (int64_t start : starts) {
    auto window = part.subspan(static_cast<size_t>(start), static_cast<size_t>(context) + 1);
    batch.x.insert(batch.x.end(), window.begin(), window.end() - 1);
    batch.y.insert(batch.y.end(), window.begin() + 1, window.end());
  }
  return batch;
}

TextBatch TextData::batch(int64_t n) {
  if (n <= 0) fail("text: a batch needs a positive size, got {}", n);
  // Starts in [0, train - T - 1), as torch.randint in torch_models.py.
  const auto choices = static_cast<uint64_t>(split_ - options_.context - 1);
  std::vector<int64_t> starts;
  starts.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) starts.push_back(static_cast<int64_t>(below(counter_random(options_.seed, position_++), choices)));
  return windows(training_part(), starts);
}

int64_t TextData::validation_windows() const {
  int64_t held_out = static_cast<int64_t>(corpus_.size()) - split_;
  return held_out > 0 ? (held_out - 1) / options_.context : 0;
}

std::vector<TextBatch> TextData::validation_batches(int64_t n) const {
  if (n <= 0) fail("text: a batch needs a positive size, got {}", n);
  const int64_t count = validation_windows();
  std::vector<TextBatch> batches;
  for (int64_t first = 0; first < count; first += n) {
    std::vector<int64_t> starts;
    for (int64_t w = first; w < std::min(count, first + n); ++w) starts.push_back(w * options_.context);
    batches.push_back(windows(held_out_part(), starts));
  }
  return batches;
}

}  // namespace heed::data
