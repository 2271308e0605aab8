#include <heed/data/labelled_text.hpp>

#include <heed/data/counter_rng.hpp>
#include <heed/data/text.hpp>
#include <heed/data/utf8.hpp>
#include <heed/error.hpp>

#include <algorithm>
#include <fstream>
#include <map>

namespace heed::data {

namespace {

int32_t class_of(const std::vector<std::string>& labels, const std::string& label) {
  return static_cast<int32_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
}

}  // namespace

const std::vector<std::string>& default_fortune_categories() {
  static const std::vector<std::string> categories{"computers", "definitions", "politics", "songs-poems"};
  return categories;
}

LabelledTexts read_labelled_texts(const std::filesystem::path& path, const std::vector<std::string>& labels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot read this label<TAB>text file (does it exist?)", path.string());
  struct Line {
    std::string label, text;
    int64_t number;
  };
  std::vector<Line> lines;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t bad = 0;
    if (!decode_utf8(line, &bad)) fail("{}:{}: not valid UTF-8 (byte {} of the line)", path.string(), number, bad + 1);
    size_t tab = line.find('\t');
    if (tab == std::string::npos) fail("{}:{}: no tab; each line is label<TAB>text", path.string(), number);
    if (tab == 0) fail("{}:{}: the label (before the tab) is empty", path.string(), number);
    if (tab + 1 == line.size()) fail("{}:{}: the text (after the tab) is empty", path.string(), number);
    lines.push_back({line.substr(0, tab), line.substr(tab + 1), number});
  }
  if (in.bad()) fail("{}: reading failed after line {}", path.string(), number);
  if (lines.empty()) fail("{}: holds no label<TAB>text line", path.string());

  LabelledTexts result;
  result.labels = labels;
  if (labels.empty()) {
    for (const Line& entry : lines) result.labels.push_back(entry.label);
    std::sort(result.labels.begin(), result.labels.end());
    result.labels.erase(std::unique(result.labels.begin(), result.labels.end()), result.labels.end());
    if (result.labels.size() < 2) fail("{}: every line has the label '{}'; a classifier needs at least two", path.string(), result.labels[0]);
  }
  for (Line& entry : lines) {
    int32_t label = class_of(result.labels, entry.label);
    if (label == static_cast<int32_t>(result.labels.size()))
      fail("{}:{}: the label '{}' is not one of the model's classes", path.string(), entry.number, entry.label);
    result.examples.push_back({std::move(entry.text), label, entry.number});
  }
  return result;
}

LabelledTexts read_fortune_categories(const std::filesystem::path& directory, const std::vector<std::string>& categories) {
  LabelledTexts result;
  result.labels = categories;
  std::sort(result.labels.begin(), result.labels.end());
  for (const std::string& category : result.labels) {
    std::filesystem::path path = directory / category;
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
      fail("classify: the fortunes file {} is missing; it comes from Debian's fortunes package: apt-get install fortunes", path.string());
    std::vector<uint8_t> bytes = read_bytes(path);
    std::string text(bytes.begin(), bytes.end()), fortune;
    int64_t number = 0, first = 1;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      ++number;
      start = end + 1;
      if (line == "%") {
        if (!fortune.empty()) result.examples.push_back({fortune, class_of(result.labels, category), first});
        fortune.clear();
        first = number + 1;
      } else {
        fortune += fortune.empty() ? line : "\n" + line;
      }
    }
    if (!fortune.empty()) result.examples.push_back({fortune, class_of(result.labels, category), first});
  }
  return result;
}

bool in_held_out_tenth(int64_t index) { return counter_random(0x5eed, static_cast<uint64_t>(index)) % 10 == 0; }

bool append_bytes(const std::string& text, int64_t length, std::vector<int32_t>& tokens, std::vector<float>& mask) {
  for (int64_t i = 0; i < length; ++i) {
    bool real = i < static_cast<int64_t>(text.size());
    tokens.push_back(real ? static_cast<unsigned char>(text[static_cast<size_t>(i)]) : 0);
    mask.push_back(real ? 1.0f : 0.0f);
  }
  return static_cast<int64_t>(text.size()) > length;
}

}  // namespace heed::data
