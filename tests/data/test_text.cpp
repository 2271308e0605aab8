// Task `text`: windows, the held-out tail, the validation walk and the resumable stream, as
// TextData of shared/bench/torch_models.py.
#include "../checkpoint/error_message.hpp"
#include "../support/temp_dir.hpp"

#include <heed/data/text.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

using heed::data::TextBatch;
using heed::data::TextData;

namespace {

// Training bytes are below 128 and held-out bytes 128 or more (the split of 2000 bytes at 5 % is
// at 1900), so a window shows which part it came from.
std::vector<uint8_t> marked_corpus() {
  std::vector<uint8_t> bytes(2000);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i < 1900 ? i % 128 : 128 + i % 128);
  return bytes;
}

}  // namespace

TEST_CASE("y is x shifted by one byte, in windows of the context length") {
  TextData data(marked_corpus(), {.context = 16, .seed = 1});
  TextBatch batch = data.batch(8);
  REQUIRE(batch.size == 8);
  REQUIRE(batch.x.size() == 8 * 16);
  REQUIRE(batch.y.size() == 8 * 16);
  for (size_t b = 0; b < 8; ++b)
    for (size_t t = 0; t + 1 < 16; ++t) CHECK(batch.y[b * 16 + t] == batch.x[b * 16 + t + 1]);
  for (size_t b = 0; b < 8; ++b) CHECK(batch.y[b * 16 + 15] == (batch.x[b * 16 + 15] + 1) % 128);
}

TEST_CASE("the last 5 % of the corpus is held out and training windows never reach it") {
  TextData data(marked_corpus(), {.context = 16, .seed = 2});
  CHECK(data.training_part().size() == 1900);
  CHECK(data.held_out_part().size() == 100);
  for (int i = 0; i < 50; ++i) {
    TextBatch batch = data.batch(32);
    CHECK(std::all_of(batch.x.begin(), batch.x.end(), [](int32_t v) { return v < 128; }));
    CHECK(std::all_of(batch.y.begin(), batch.y.end(), [](int32_t v) { return v < 128; }));
  }
}

TEST_CASE("validation batches walk the held-out part in consecutive windows, every byte after the first a target once") {
  TextData data(marked_corpus(), {.context = 16});
  // 100 held-out bytes: (100 - 1) / 16 = 6 windows; batches of 4 then 2.
  CHECK(data.validation_windows() == 6);
  std::vector<TextBatch> batches = data.validation_batches(4);
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].size == 4);
  CHECK(batches[1].size == 2);
  std::vector<int32_t> xs, ys;
  for (const TextBatch& batch : batches) {
    xs.insert(xs.end(), batch.x.begin(), batch.x.end());
    ys.insert(ys.end(), batch.y.begin(), batch.y.end());
  }
  auto held_out = data.held_out_part();
  CHECK(std::equal(xs.begin(), xs.end(), held_out.begin()));
  CHECK(std::equal(ys.begin(), ys.end(), held_out.begin() + 1));
}

TEST_CASE("seek restores the stream of training batches") {
  TextData data(marked_corpus(), {.context = 16, .seed = 9});
  data.batch(3);
  uint64_t saved = data.position();
  CHECK(saved == 3);
  TextBatch first = data.batch(5);
  TextBatch second = data.batch(5);

  TextData resumed(marked_corpus(), {.context = 16, .seed = 9});
  resumed.seek(saved);
  CHECK(resumed.batch(5).x == first.x);
  CHECK(resumed.batch(5).y == second.y);
}

TEST_CASE("different seeds draw different windows") {
  TextData a(marked_corpus(), {.context = 16, .seed = 1}), b(marked_corpus(), {.context = 16, .seed = 2});
  CHECK(a.batch(8).x != b.batch(8).x);
}

TEST_CASE("a corpus shorter than the context plus two bytes is an error saying so") {
  CHECK_ERROR_MENTIONS(TextData(std::vector<uint8_t>(129), {.context = 128}, "tiny.txt"),
                       "tiny.txt: 129 bytes is too short; windows of context 128 need at least 130 bytes");
  CHECK_NOTHROW(TextData(std::vector<uint8_t>(200), {.context = 16}));
}

TEST_CASE("from_file reads any file, and a missing one is an error naming it") {
  heed_test::TempDir dir;
  {
    std::ofstream out(dir / "corpus.txt", std::ios::binary);
    for (int i = 0; i < 300; ++i) out << "hello world ";
  }
  TextData data = TextData::from_file(dir / "corpus.txt", {.context = 32});
  CHECK(data.training_part().size() + data.held_out_part().size() == 3600);
  CHECK(data.batch(2).x.size() == 64);
  CHECK_ERROR_MENTIONS(TextData::from_file(dir / "absent.txt"), "absent.txt: no such file");
}

TEST_CASE("a missing fortunes corpus names the Debian package to install") {
  heed_test::TempDir dir;
  CHECK_ERROR_MENTIONS(heed::data::load_fortunes(dir / "fortunes"), "apt-get install fortunes");
}

TEST_CASE("the default corpus is the fortune files without an extension, concatenated in name order") {
  const std::filesystem::path directory(heed::data::fortunes_directory);
  if (!std::filesystem::is_directory(directory)) {
    CHECK_ERROR_MENTIONS(heed::data::load_fortunes(), "apt-get install fortunes");
    return;
  }
  std::vector<std::filesystem::path> files;
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    if (entry.path().filename().string().find('.') == std::string::npos && !entry.is_symlink() && entry.is_regular_file()) {
      files.push_back(entry.path());
      total += entry.file_size();
    }
  std::sort(files.begin(), files.end());
  std::vector<uint8_t> corpus = heed::data::load_fortunes();
  CHECK(corpus.size() == total);
  std::ifstream first(files.front(), std::ios::binary);
  std::vector<uint8_t> head(64);
  first.read(reinterpret_cast<char*>(head.data()), 64);
  CHECK(std::equal(head.begin(), head.end(), corpus.begin()));
  TextData data = TextData::fortunes();
  CHECK(data.context() == 128);
  CHECK(data.held_out_part().size() == corpus.size() - static_cast<size_t>(static_cast<double>(corpus.size()) * 0.95));
}
