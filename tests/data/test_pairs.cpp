// The pieces of the pairs task: strict UTF-8, character vocabularies, the encoding of a pair as
// seq2seq's inputs, edit distance and shuffled epochs.
#include "../checkpoint/error_message.hpp"
#include "../support/temp_dir.hpp"

#include <heed/data/edit_distance.hpp>
#include <heed/data/epoch_order.hpp>
#include <heed/data/pairs.hpp>
#include <heed/data/utf8.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>

using namespace heed::data;
using heed_test::TempDir;
using heed_test::error_message;

TEST_CASE("UTF-8 decodes to code points and encodes back") {
  std::string text = "a\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80";  // a ü € 😀
  auto decoded = decode_utf8(text);
  REQUIRE(decoded);
  CHECK(*decoded == U"a\u00fc\u20ac\U0001F600");
  CHECK(encode_utf8(*decoded) == text);
}

TEST_CASE("UTF-8 decoding rejects overlong forms, surrogates, stray and cut bytes, naming the byte") {
  for (std::string bad : {std::string("\xc0\xaf"), std::string("\xed\xa0\x80"), std::string("ab\x80"), std::string("ab\xe2\x82"),
                          std::string("\xf4\x90\x80\x80")}) {
    size_t where = 99;
    CHECK_FALSE(decode_utf8(bad, &where));
    CHECK(where < bad.size());
  }
  size_t where = 0;
  CHECK_FALSE(decode_utf8("ab\x80", &where));
  CHECK(where == 2);
}

TEST_CASE("a character vocabulary keeps characters seen min_count times, in code-point order after its reserved tokens") {
  std::vector<std::u32string> texts{U"banana", U"cab"};
  CharacterVocabulary vocabulary = CharacterVocabulary::build({"<pad>", "<unk>"}, texts, 2);
  CHECK(vocabulary.characters() == U"abn");  // 'c' is seen once
  CHECK(vocabulary.size() == 5);
  CHECK(vocabulary.index(U'a') == 2);
  CHECK(vocabulary.index(U'n') == 4);
  CHECK(vocabulary.index(U'c') == vocabulary.unknown());
  CHECK(vocabulary.token(3) == "b");
  CHECK(vocabulary.token(1) == "<unk>");
}

TEST_CASE("a pair encodes as padded source, <bos>-shifted target_in and <eos>-ended target_out") {
  PairEncoding encoding{.source = {source_reserved_tokens(), U"ab"}, .target = {target_reserved_tokens(), U"xy"},
                        .source_length = 4, .target_length = 4};
  SequenceBatch batch;
  encoding.append({.source = U"abz", .target = U"yx", .line = 1}, batch);
  CHECK(batch.size == 1);
  CHECK(batch.source == std::vector<int32_t>{2, 3, 1, 0});  // z reads as <unk>
  CHECK(batch.source_mask == std::vector<float>{1, 1, 1, 0});
  CHECK(batch.target_in == std::vector<int32_t>{1, 5, 4, 0});
  CHECK(batch.target_out == std::vector<int32_t>{5, 4, 2, 0});
  CHECK(encoding.decode_target(batch.target_out) == U"yx");
  CHECK_FALSE(encoding.fits({.source = U"ab", .target = U"xyxy", .line = 2}));  // no room for <eos>
}

TEST_CASE("read_pairs splits at the first tab, drops a carriage return and skips blank lines") {
  TempDir dir;
  std::ofstream(dir / "p.tsv") << "one\t1\r\n\nzwei\tII\tattribution\n";
  std::vector<TextPair> pairs = read_pairs(dir / "p.tsv");
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0].target == U"1");
  CHECK(pairs[1].source == U"zwei");
  CHECK(pairs[1].target == U"II");
  CHECK(pairs[1].line == 3);
}

TEST_CASE("a pairs file with no pair is an error naming it") {
  TempDir dir;
  std::ofstream(dir / "empty.tsv") << "\n\n";
  CHECK(error_message([&] { read_pairs(dir / "empty.tsv"); }).find("empty.tsv: holds no source<TAB>target pair") != std::string::npos);
}

TEST_CASE("edit distance counts insertions, deletions and substitutions") {
  CHECK(edit_distance(U"kitten", U"sitting") == 3);
  CHECK(edit_distance(U"", U"abc") == 3);
  CHECK(edit_distance(U"same", U"same") == 0);
}

TEST_CASE("each epoch of an EpochOrder is a permutation, and positions map the same after a restart") {
  EpochOrder order(7, 10), again(7, 10);
  std::set<int64_t> first_epoch;
  for (uint64_t position = 0; position < 10; ++position) first_epoch.insert(order.at(position));
  CHECK(first_epoch.size() == 10);
  CHECK(order.at(23) == again.at(23));
  CHECK(order.at(3) == again.at(3));
}
