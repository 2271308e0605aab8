// Encoding of task `dates` (shared/MODELS.md section 1) and its seeded example stream.
#include <heed/data/counter_rng.hpp>
#include <heed/data/dates.hpp>
#include <heed/error.hpp>

#include <algorithm>

namespace heed::data::dates {

namespace {

// A byte as it should appear in an error: printable as itself, otherwise as an escape.
std::string shown(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x7f ? fmt::format("'{}'", c) : fmt::format("byte 0x{:02x}", byte);
}

}  // namespace

std::vector<int32_t> encode_source(std::string_view text) {
  if (static_cast<int64_t>(text.size()) > source_length)
    fail("dates: the source \"{}\" has {} characters; the model reads at most {}", text, text.size(), source_length);
  std::vector<int32_t> indices(static_cast<size_t>(source_length), pad);
  for (size_t i = 0; i < text.size(); ++i) {
    size_t found = source_alphabet.find(text[i]);
    if (found == std::string_view::npos)
      fail("dates: {} at position {} of \"{}\" is not in the source alphabet (lower-case letters, digits, space and \",-./\")",
           shown(text[i]), i, text);
    indices[i] = static_cast<int32_t>(found) + 1;
  }
  return indices;
}

std::vector<int32_t> encode_target(std::string_view iso_date) {
  if (static_cast<int64_t>(iso_date.size()) != target_length - 1)
    fail("dates: the target \"{}\" has {} characters; an ISO date has {}", iso_date, iso_date.size(), target_length - 1);
  std::vector<int32_t> indices;
  indices.reserve(static_cast<size_t>(target_length));
  for (size_t i = 0; i < iso_date.size(); ++i) {
    size_t found = target_alphabet.find(iso_date[i]);
    if (found == std::string_view::npos) fail("dates: {} at position {} of the target \"{}\" is not a digit or '-'", shown(iso_date[i]), i, iso_date);
    indices.push_back(static_cast<int32_t>(found) + 3);
  }
  indices.push_back(eos);
  return indices;
}

std::string decode_target(std::span<const int32_t> indices) {
  std::string text;
  for (int32_t index : indices) {
    if (index == eos) break;
    int32_t character = index - 3;
    text += character >= 0 && character < static_cast<int32_t>(target_alphabet.size()) ? target_alphabet[static_cast<size_t>(character)] : '?';
  }
  return text;
}

Batch encode(std::span<const Example> examples) {
  Batch batch;
  batch.size = static_cast<int64_t>(examples.size());
  batch.src.reserve(examples.size() * source_length);
  batch.src_mask.reserve(examples.size() * source_length);
  batch.tgt_in.reserve(examples.size() * target_length);
  batch.tgt_out.reserve(examples.size() * target_length);
  for (const Example& example : examples) {
    std::vector<int32_t> src = encode_source(example.source);
    std::vector<int32_t> tgt = encode_target(example.target);
    batch.src.insert(batch.src.end(), src.begin(), src.end());
    for (int32_t index : src) batch.src_mask.push_back(index != pad ? 1.0f : 0.0f);
    batch.tgt_in.push_back(bos);  // teacher forcing: the decoder sees the previous target
    batch.tgt_in.insert(batch.tgt_in.end(), tgt.begin(), tgt.end() - 1);
    batch.tgt_out.insert(batch.tgt_out.end(), tgt.begin(), tgt.end());
  }
  return batch;
}

Example Generator::example(uint64_t index) const {
  const int64_t first = first_ordinal();
  const auto days = static_cast<uint64_t>(last_ordinal() - first + 1);
  // Rejection keeps every date of the split equally likely; one draw in 20 (or 19 in 20) is
  // accepted, so a handful of draws always suffice.
  uint64_t draw = 0;
  int64_t day = 0;
  do {
    day = first + static_cast<int64_t>(below(counter_random(seed_, index, draw++), days));
  } while (!in_split(day, split_));
  // The format is drawn from its own draw number, independent of how many days were rejected.
  int format = static_cast<int>(below(counter_random(seed_, index, ~uint64_t{0}), static_cast<uint64_t>(format_count())));
  Date date = from_ordinal(day);
  return {format_date(date, format), iso(date)};
}

Example Generator::next() { return example(position_++); }

Batch Generator::batch(int64_t n) {
  if (n <= 0) fail("dates: a batch needs a positive size, got {}", n);
  std::vector<Example> examples;
  examples.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) examples.push_back(next());
  return encode(examples);
}

}  // namespace heed::data::dates
