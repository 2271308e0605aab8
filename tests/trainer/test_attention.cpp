// Where a trained dates model attends: the strongest source position for each target
// digit is a character of the date it came from. The model is trained here, small and briefly
// (a few seconds), through heed-train itself.
#include "files.hpp"
#include "run_tool.hpp"
#include "../support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

using namespace trainer_test;
using heed_test::TempDir;

TEST_CASE("a trained dates model attends from each output digit to the date's characters") {
  TempDir dir;
  Result trained = run({"train", "--model", "seq2seq", "--steps", "300", "--batch", "32", "--lr", "0.01", "--config",
                        R"({"embedding": 16, "encoder_hidden": 32, "decoder_hidden": 64, "attention": 32})", "--out", "run",
                        "--eval-every", "0", "--eval-limit", "200", "--log-every", "100"},
                       dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);

  int year_digits = 0, year_in_year = 0, day_digits = 0, day_on_digit = 0;
  for (int index = 0; index < 12; ++index) {
    CAPTURE(index);
    Result predicted = run({"predict", "--checkpoint", "run", "--index", std::to_string(index), "--json"}, dir.path());
    REQUIRE_MESSAGE(predicted.status == 0, predicted.err);
    nlohmann::json prediction = nlohmann::json::parse(predicted.out);
    std::string source = prediction["input"], output = prediction["output"], expected = prediction["expected"];
    CAPTURE(source);
    CAPTURE(output);
    if (output != expected) continue;  // the claim is about dates the model reads correctly
    // Every format writes the year as four digits; find them in the source.
    size_t year = source.find(expected.substr(0, 4));
    REQUIRE(year != std::string::npos);
    const nlohmann::json& attention = prediction["attention"];
    for (size_t t = 0; t < output.size(); ++t) {
      if (!std::isdigit(static_cast<unsigned char>(output[t]))) continue;
      const nlohmann::json& row = attention[t];
      auto strongest = static_cast<size_t>(std::max_element(row.begin(), row.end(), [](const auto& a, const auto& b) {
                                             return a.template get<double>() < b.template get<double>();
                                           }) - row.begin());
      CAPTURE(t);
      CAPTURE(strongest);
      // A character of the date as written (never padding).
      CHECK(strongest < source.size());
      if (t < 4) {  // the year's digits look at the year
        ++year_digits;
        year_in_year += strongest >= year && strongest < year + 4;
      } else if (t >= 8) {  // the day's digits look at a digit outside the year: the day
        ++day_digits;
        day_on_digit += std::isdigit(static_cast<unsigned char>(source[strongest])) && (strongest < year || strongest >= year + 4);
      }
    }
  }
  REQUIRE(year_digits >= 32);  // most of the 12 dates were read correctly
  // Sharper than the acceptance asks: the fields line up. A stray glance is allowed.
  CHECK(year_in_year >= year_digits * 9 / 10);
  CHECK(day_on_digit >= day_digits * 9 / 10);
}
