#pragma once
// Source/target pairs of strings for seq2seq: a UTF-8 file with one `source<TAB>target` a line,
// and their encoding as the model's inputs with character vocabularies built from the data.
#include <heed/data/character_vocabulary.hpp>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace heed::data {

struct TextPair {
  std::u32string source, target;
  int64_t line = 0;  // in the file it came from, from 1
};

// Every pair of `path`. Blank lines are skipped, a trailing carriage return is dropped and
// columns after the second are ignored (Tatoeba's files carry an attribution there). A line
// without a tab, with an empty side or with invalid UTF-8 is a heed::Error naming the file and
// line; so is a file that cannot be read or holds no pair.
std::vector<TextPair> read_pairs(const std::filesystem::path& path);

// Indices 0 <pad>, 1 <unk> in the source; 0 <pad>, 1 <bos>, 2 <eos>, 3 <unk> in the target.
std::vector<std::string> source_reserved_tokens();
std::vector<std::string> target_reserved_tokens();
inline constexpr int32_t pair_pad = 0, pair_bos = 1, pair_eos = 2;

// One batch in the layout of seq2seq's inputs, row-major: source [size, S] 0-padded;
// source_mask [size, S] 1 at real characters; target_in [size, T] <bos> + the target;
// target_out [size, T] the target + <eos>, 0-padded (padding is left out of the loss).
struct SequenceBatch {
  int64_t size = 0;
  std::vector<int32_t> source;
  std::vector<float> source_mask;
  std::vector<int32_t> target_in, target_out;
};

// The vocabularies and lengths a seq2seq model is built for. target_length counts the <eos>.
struct PairEncoding {
  CharacterVocabulary source, target;
  int64_t source_length = 0, target_length = 0;

  bool fits(const TextPair& pair) const {
    return static_cast<int64_t>(pair.source.size()) <= source_length && static_cast<int64_t>(pair.target.size()) < target_length;
  }
  // Appends one pair (which must fit) as a row of `batch`.
  void append(const TextPair& pair, SequenceBatch& batch) const;
  // A source string as S indices; a character outside the vocabulary reads as <unk>.
  std::vector<int32_t> encode_source(std::u32string_view source) const;
  // Target indices back to text, stopping at <eos>; <unk> reads as U+FFFD.
  std::u32string decode_target(std::span<const int32_t> indices) const;
};

}  // namespace heed::data
