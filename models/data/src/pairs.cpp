#include <heed/data/pairs.hpp>

#include <heed/data/utf8.hpp>
#include <heed/error.hpp>

#include <fstream>

namespace heed::data {

std::vector<TextPair> read_pairs(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot read this pairs file (does it exist?)", path.string());
  std::vector<TextPair> pairs;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t bad = 0;
    std::optional<std::u32string> text = decode_utf8(line, &bad);
    if (!text) fail("{}:{}: not valid UTF-8 (byte {} of the line)", path.string(), number, bad + 1);
    size_t tab = text->find(U'\t');
    if (tab == std::u32string::npos)
      fail("{}:{}: no tab; each line is source<TAB>target", path.string(), number);
    size_t end = text->find(U'\t', tab + 1);
    TextPair pair{.source = text->substr(0, tab), .target = text->substr(tab + 1, end == std::u32string::npos ? std::u32string::npos : end - tab - 1),
                  .line = number};
    if (pair.source.empty()) fail("{}:{}: the source (before the tab) is empty", path.string(), number);
    if (pair.target.empty()) fail("{}:{}: the target (after the tab) is empty", path.string(), number);
    pairs.push_back(std::move(pair));
  }
  if (in.bad()) fail("{}: reading failed after line {}", path.string(), number);
  if (pairs.empty()) fail("{}: holds no source<TAB>target pair", path.string());
  return pairs;
}

std::vector<std::string> source_reserved_tokens() { return {"<pad>", "<unk>"}; }
std::vector<std::string> target_reserved_tokens() { return {"<pad>", "<bos>", "<eos>", "<unk>"}; }

void PairEncoding::append(const TextPair& pair, SequenceBatch& batch) const {
  if (!fits(pair)) fail("a pair of line {} is longer than the model's lengths ({} and {} characters)", pair.line, source_length, target_length - 1);
  std::vector<int32_t> source_indices = encode_source(pair.source);
  batch.source.insert(batch.source.end(), source_indices.begin(), source_indices.end());
  for (int64_t i = 0; i < source_length; ++i) batch.source_mask.push_back(i < static_cast<int64_t>(pair.source.size()) ? 1.0f : 0.0f);
  auto size = static_cast<int64_t>(pair.target.size());
  for (int64_t t = 0; t < target_length; ++t) {
    int32_t current = t < size ? target.index(pair.target[static_cast<size_t>(t)]) : t == size ? pair_eos : pair_pad;
    int32_t previous = t == 0 ? pair_bos : t - 1 < size ? target.index(pair.target[static_cast<size_t>(t - 1)]) : pair_pad;
    batch.target_in.push_back(previous);
    batch.target_out.push_back(current);
  }
  ++batch.size;
}

std::vector<int32_t> PairEncoding::encode_source(std::u32string_view text) const {
  if (static_cast<int64_t>(text.size()) > source_length)
    fail("the input has {} characters; this model reads at most {}", text.size(), source_length);
  std::vector<int32_t> indices(static_cast<size_t>(source_length), pair_pad);
  for (size_t i = 0; i < text.size(); ++i) indices[i] = source.index(text[i]);
  return indices;
}

std::u32string PairEncoding::decode_target(std::span<const int32_t> indices) const {
  std::u32string text;
  for (int32_t index : indices) {
    if (index == pair_eos) break;
    if (target.is_character(index)) text.push_back(target.characters()[static_cast<size_t>(index) - target_reserved_tokens().size()]);
    else if (index == target.unknown()) text.push_back(U'\uFFFD');
  }
  return text;
}

}  // namespace heed::data
