// Task `dates`: the formats of torch_models.py, the encoding of shared/MODELS.md section 1, the
// train/held-out split and the resumable stream.
#include "../checkpoint/error_message.hpp"

#include <heed/data/dates.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace dates = heed::data::dates;

namespace {

std::vector<dates::Example> draw(dates::Generator& generator, int count) {
  std::vector<dates::Example> examples;
  for (int i = 0; i < count; ++i) examples.push_back(generator.next());
  return examples;
}

}  // namespace

TEST_CASE("the surface formats render a date exactly as torch_models.DATE_FORMATS does, lower-cased") {
  // Expected strings printed by shared/bench/torch_models.py for 1998-03-03 and 2023-11-22.
  const std::vector<std::string> march = {"tuesday, 3 march 1998", "3/3/1998",    "mar 3, 1998",    "3 march 1998",
                                          "march 3, 1998",         "03.03.1998",  "1998/03/03",     "03 mar 1998",
                                          "tue mar 3 1998",        "3rd of march, 1998", "19980303"};
  const std::vector<std::string> november = {"wednesday, 22 november 2023", "22/11/2023", "nov 22, 2023", "22 november 2023",
                                             "november 22, 2023", "22.11.2023", "2023/11/22", "22 nov 2023",
                                             "wed nov 22 2023", "22nd of november, 2023", "20231122"};
  REQUIRE(dates::format_count() == 11);
  for (int format = 0; format < dates::format_count(); ++format) {
    CHECK(dates::format_date({1998, 3, 3}, format) == march[static_cast<size_t>(format)]);
    CHECK(dates::format_date({2023, 11, 22}, format) == november[static_cast<size_t>(format)]);
  }
}

TEST_CASE("day ordinals take st, nd, rd and th as in English") {
  auto spoken = [](int day) { return dates::format_date({2001, 1, day}, 9).substr(0, 4); };
  CHECK(spoken(1) == "1st ");
  CHECK(spoken(2) == "2nd ");
  CHECK(spoken(3) == "3rd ");
  CHECK(spoken(4) == "4th ");
  CHECK(spoken(11) == "11th");
  CHECK(spoken(12) == "12th");
  CHECK(spoken(13) == "13th");
  CHECK(spoken(21) == "21st");
  CHECK(spoken(22) == "22nd");
  CHECK(spoken(23) == "23rd");
  CHECK(spoken(31) == "31st");
}

TEST_CASE("day ordinals agree with Python's date.toordinal") {
  CHECK(dates::ordinal({1900, 1, 1}) == 693596);
  CHECK(dates::ordinal({2099, 12, 31}) == 766644);
  CHECK(dates::ordinal({1998, 3, 3}) == 729451);
  CHECK(dates::from_ordinal(729451) == dates::Date{1998, 3, 3});
  CHECK(dates::first_ordinal() == 693596);
  CHECK(dates::last_ordinal() == 766644);
}

TEST_CASE("2000 generated sources fit in S characters, are lower-case and encode") {
  dates::Generator generator(3);
  for (const dates::Example& example : draw(generator, 2000)) {
    INFO(example.source);
    CHECK(static_cast<int64_t>(example.source.size()) <= dates::source_length);
    CHECK(std::none_of(example.source.begin(), example.source.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); }));
    CHECK_NOTHROW(dates::encode_source(example.source));
  }
}

namespace {

dates::Date date_of(const dates::Example& example) {
  const std::string& iso = example.target;
  return {std::stoi(iso.substr(0, 4)), std::stoi(iso.substr(5, 2)), std::stoi(iso.substr(8, 2))};
}

}  // namespace

TEST_CASE("every year from 1900 to 2099 is drawn") {
  dates::Generator generator(5);
  std::set<int> years;
  for (const dates::Example& example : draw(generator, 20000)) years.insert(date_of(example).year);
  CHECK(*years.begin() == 1900);
  CHECK(*years.rbegin() == 2099);
  CHECK(years.size() == 200);
}

TEST_CASE("every surface format is drawn") {
  dates::Generator generator(5);
  std::set<int> formats_seen;
  for (const dates::Example& example : draw(generator, 2000))
    for (int format = 0; format < dates::format_count(); ++format)
      if (dates::format_date(date_of(example), format) == example.source) formats_seen.insert(format);
  CHECK(formats_seen.size() == static_cast<size_t>(dates::format_count()));
}

TEST_CASE("the source string names the date of the target") {
  dates::Generator generator(11);
  for (const dates::Example& example : draw(generator, 500)) {
    bool rendered = false;
    for (int format = 0; format < dates::format_count(); ++format) rendered |= dates::format_date(date_of(example), format) == example.source;
    CHECK_MESSAGE(rendered, example.source, " -> ", example.target);
  }
}

TEST_CASE("held-out examples never share a date with training examples") {
  dates::Generator train(3, dates::Split::train), held_out(4, dates::Split::held_out);
  std::set<std::string> train_days, held_out_days;
  for (const dates::Example& example : draw(train, 5000)) train_days.insert(example.target);
  for (const dates::Example& example : draw(held_out, 1000)) {
    held_out_days.insert(example.target);
    CHECK(dates::ordinal(date_of(example)) % 20 == 0);  // every 20th day, as torch_models.py
  }
  std::vector<std::string> shared;
  std::set_intersection(train_days.begin(), train_days.end(), held_out_days.begin(), held_out_days.end(), std::back_inserter(shared));
  CHECK(shared.empty());
  CHECK(held_out_days.size() > 500);
}

TEST_CASE("encode_source maps the alphabet to 1..41 in order and pads with 0") {
  std::vector<int32_t> encoded = dates::encode_source(" ,-./09az");
  REQUIRE(encoded.size() == 32);
  CHECK(std::vector<int32_t>(encoded.begin(), encoded.begin() + 10) == std::vector<int32_t>{1, 2, 3, 4, 5, 6, 15, 16, 41, 0});
  CHECK(std::all_of(encoded.begin() + 9, encoded.end(), [](int32_t i) { return i == dates::pad; }));
}

TEST_CASE("encode_target gives 10 ISO characters then <eos>, and decode_target reads them back") {
  std::vector<int32_t> encoded = dates::encode_target("1998-03-03");
  CHECK(encoded == std::vector<int32_t>{4, 12, 12, 11, 13, 3, 6, 13, 3, 6, dates::eos});
  CHECK(dates::decode_target(encoded) == "1998-03-03");
}

TEST_CASE("decode_target stops at <eos> and shows indices that are no character as '?'") {
  CHECK(dates::decode_target(std::vector<int32_t>{4, 5, dates::eos, 6, 7}) == "12");
  CHECK(dates::decode_target(std::vector<int32_t>{dates::bos, 4, 15}) == "?1?");
}

TEST_CASE("a character outside the source alphabet is an error naming it and its position") {
  CHECK_ERROR_MENTIONS(dates::encode_source("March 3, 1998"), "'M' at position 0");
  CHECK_ERROR_MENTIONS(dates::encode_source("3 mar 1998!"), "'!' at position 10");
  CHECK_ERROR_MENTIONS(dates::encode_source("3\tmar"), "byte 0x09 at position 1");
}

TEST_CASE("a source longer than 32 characters is an error naming its length") {
  CHECK_ERROR_MENTIONS(dates::encode_source(std::string(33, 'a')), "has 33 characters; the model reads at most 32");
}

TEST_CASE("a batch holds source, mask, teacher-forcing input and target in the model's layout") {
  std::vector<dates::Example> examples = {{"3/3/1998", "1998-03-03"}, {"20231122", "2023-11-22"}};
  dates::Batch batch = dates::encode(examples);
  REQUIRE(batch.size == 2);
  REQUIRE(batch.src.size() == 64);
  REQUIRE(batch.src_mask.size() == 64);
  REQUIRE(batch.tgt_in.size() == 22);
  REQUIRE(batch.tgt_out.size() == 22);
  for (size_t b = 0; b < 2; ++b) {
    for (size_t j = 0; j < 32; ++j) CHECK(batch.src_mask[b * 32 + j] == (j < 8 ? 1.0f : 0.0f));
    CHECK(batch.tgt_in[b * 11] == dates::bos);
    for (size_t t = 1; t < 11; ++t) CHECK(batch.tgt_in[b * 11 + t] == batch.tgt_out[b * 11 + t - 1]);
    CHECK(batch.tgt_out[b * 11 + 10] == dates::eos);
  }
  CHECK(dates::decode_target(std::span(batch.tgt_out).subspan(11, 11)) == "2023-11-22");
}

TEST_CASE("seek restores the stream: the batches after it are the ones drawn before") {
  dates::Generator generator(7);
  generator.batch(5);
  uint64_t saved = generator.position();
  CHECK(saved == 5);
  dates::Batch first = generator.batch(16);
  dates::Batch second = generator.batch(16);

  dates::Generator resumed(7);
  resumed.seek(saved);
  CHECK(resumed.batch(16).src == first.src);
  CHECK(resumed.batch(16).tgt_out == second.tgt_out);
  CHECK(resumed.example(3).source == dates::Generator(7).example(3).source);
}

TEST_CASE("different seeds give different streams and the same seed the same one") {
  dates::Generator a(1), b(1), c(2);
  std::vector<dates::Example> from_a = draw(a, 50), from_b = draw(b, 50), from_c = draw(c, 50);
  int same = 0, different = 0;
  for (size_t i = 0; i < 50; ++i) {
    same += from_a[i].source == from_b[i].source;
    different += from_a[i].source != from_c[i].source;
  }
  CHECK(same == 50);
  CHECK(different > 45);
}
