#include <heed/data/character_vocabulary.hpp>

#include <heed/data/utf8.hpp>
#include <heed/error.hpp>

#include <algorithm>
#include <map>

namespace heed::data {

CharacterVocabulary::CharacterVocabulary(std::vector<std::string> reserved, std::u32string characters)
    : reserved_(std::move(reserved)), characters_(std::move(characters)) {
  auto unknown = std::find(reserved_.begin(), reserved_.end(), "<unk>");
  if (unknown == reserved_.end()) fail("a character vocabulary needs an <unk> token among its reserved ones");
  unknown_ = static_cast<int32_t>(unknown - reserved_.begin());
  std::sort(characters_.begin(), characters_.end());
  if (std::adjacent_find(characters_.begin(), characters_.end()) != characters_.end())
    fail("a character vocabulary lists a character twice");
}

CharacterVocabulary CharacterVocabulary::build(std::vector<std::string> reserved, std::span<const std::u32string> texts,
                                               int64_t min_count) {
  std::map<char32_t, int64_t> counts;
  for (const std::u32string& text : texts)
    for (char32_t character : text) ++counts[character];
  std::u32string characters;
  for (const auto& [character, count] : counts)
    if (count >= min_count) characters.push_back(character);
  return CharacterVocabulary(std::move(reserved), std::move(characters));
}

bool CharacterVocabulary::contains(char32_t character) const {
  return std::binary_search(characters_.begin(), characters_.end(), character);
}

int32_t CharacterVocabulary::index(char32_t character) const {
  auto found = std::lower_bound(characters_.begin(), characters_.end(), character);
  if (found == characters_.end() || *found != character) return unknown_;
  return static_cast<int32_t>(reserved_.size() + static_cast<size_t>(found - characters_.begin()));
}

bool CharacterVocabulary::is_character(int32_t index) const {
  return index >= static_cast<int32_t>(reserved_.size()) && index < size();
}

std::string CharacterVocabulary::token(int32_t index) const {
  if (index >= 0 && index < static_cast<int32_t>(reserved_.size())) return reserved_[static_cast<size_t>(index)];
  if (is_character(index)) return encode_utf8(characters_[static_cast<size_t>(index) - reserved_.size()]);
  return "?";
}

}  // namespace heed::data
