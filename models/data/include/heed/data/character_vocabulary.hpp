#pragma once
// A vocabulary of Unicode characters built from training text: a few reserved tokens first
// (padding, <unk>, ...), then every character seen at least min_count times, in code-point order
// so that the same text always gives the same indices. It is stored in a checkpoint as the
// string of its characters.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace heed::data {

class CharacterVocabulary {
 public:
  // `reserved` names indices 0 .. reserved.size() - 1 and must contain "<unk>".
  CharacterVocabulary(std::vector<std::string> reserved, std::u32string characters);
  static CharacterVocabulary build(std::vector<std::string> reserved, std::span<const std::u32string> texts, int64_t min_count);

  int64_t size() const { return static_cast<int64_t>(reserved_.size() + characters_.size()); }
  const std::u32string& characters() const { return characters_; }
  int32_t unknown() const { return unknown_; }
  bool contains(char32_t character) const;
  int32_t index(char32_t character) const;  // unknown() for a character not in the vocabulary
  // The text of an index: the character as UTF-8, or a reserved token's name; "?" past the end.
  std::string token(int32_t index) const;
  bool is_character(int32_t index) const;

 private:
  std::vector<std::string> reserved_;
  std::u32string characters_;  // sorted, unique
  int32_t unknown_ = 0;
};

}  // namespace heed::data
