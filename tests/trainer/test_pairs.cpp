// seq2seq on the user's own source<TAB>target pairs: what a run learns and stores, eval and
// predict without the data, and every bad input named.
#include "files.hpp"
#include "numbers_in_words.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"

#include <doctest/doctest.h>

using namespace trainer_test;

namespace {

std::vector<std::string> pairs_run(const std::string& data, int steps, std::vector<std::string> extra = {},
                                   const std::string& config = small_config("seq2seq")) {
  std::vector<std::string> flags{"train", "--model", "seq2seq", "--data", data, "--steps", std::to_string(steps), "--batch", "8",
                                 "--config", config, "--out", "run", "--eval-batch", "16", "--log-every", "1"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

nlohmann::json stored_config(const TempDir& dir) {
  nlohmann::json header = safetensors_header(dir / "run/model.safetensors");
  return nlohmann::json::parse(header["__metadata__"]["config"].get<std::string>());
}

// Trains on `text` and expects the run to fail with a message that contains `message`.
void expect_data_error(const std::string& text, const std::string& message) {
  TempDir dir;
  write_file(dir / "bad.tsv", text);
  Result result = run(pairs_run("bad.tsv", 2), dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find(message) != std::string::npos, result.err);
}

}  // namespace

#ifdef HEED_QUALITY_TESTS
TEST_CASE("seq2seq learns numbers written in words from a pairs file to 95 % held-out exact match") {
  TempDir dir;
  write_file(dir / "numbers.tsv", numbers_in_words(4000));
  Result trained = run({"train", "--model", "seq2seq", "--data", "numbers.tsv", "--steps", "300", "--out", "run",
                        "--config", R"({"embedding": 32, "encoder_hidden": 64, "decoder_hidden": 128, "attention": 64})"},
                       dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  Result evaluated = run({"eval", "--checkpoint", "run", "--json"}, dir.path());
  REQUIRE_MESSAGE(evaluated.status == 0, evaluated.err);
  nlohmann::json evaluation = nlohmann::json::parse(evaluated.out);
  CHECK(evaluation["examples"] == 200);  // the last 5 % of 4000
  CHECK(evaluation["exact_match"].get<double>() >= 0.95);
  CHECK(evaluation["char_error_rate"].get<double>() <= 0.05);
}
#endif

TEST_CASE("a pairs run stores its vocabularies and lengths, and eval and predict need no data") {
  TempDir dir;
  write_file(dir / "numbers.tsv", numbers_in_words(200));
  write_file(dir / "other.tsv", "twelve\t12\nninety-one\t91\n");
  Result trained = run(pairs_run("numbers.tsv", 3), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  nlohmann::json config = stored_config(dir);
  // 'z' is only in "zero", seen at most once: below min_count 2, it reads as <unk>.
  CHECK(config["pairs"]["source_characters"] == " -adefghilnorstuvwxy");
  CHECK(config["pairs"]["target_characters"] == "0123456789");
  CHECK(config["source_vocab"] == 2 + 20);
  CHECK(config["target_vocab"] == 4 + 10);
  CHECK(config["target_length"] == 5);  // four digits and <eos>
  std::filesystem::remove(dir / "numbers.tsv");

  Result predicted = run({"predict", "--checkpoint", "run", "--input", "forty-two", "--json"}, dir.path());
  REQUIRE_MESSAGE(predicted.status == 0, predicted.err);
  nlohmann::json prediction = nlohmann::json::parse(predicted.out);
  CHECK(prediction["source"].size() == 9);
  for (const nlohmann::json& row : prediction["attention"]) CHECK(row.size() == 9);

  Result measured = run({"eval", "--checkpoint", "run", "--data", "other.tsv", "--json"}, dir.path());
  REQUIRE_MESSAGE(measured.status == 0, measured.err);
  CHECK(nlohmann::json::parse(measured.out)["examples"] == 2);
  CHECK(nlohmann::json::parse(measured.out).contains("char_error_rate"));

  Result gone = run({"eval", "--checkpoint", "run"}, dir.path());
  CHECK(gone.status != 0);
  CHECK_MESSAGE(gone.err.find("eval --data FILE") != std::string::npos, gone.err);
}

TEST_CASE("--valid gives the held-out pairs, which eval measures whole") {
  TempDir dir;
  write_file(dir / "numbers.tsv", numbers_in_words(100));
  write_file(dir / "valid.tsv", "twelve\t12\nninety-one\t91\nseven\t7\n");
  Result trained = run(pairs_run("numbers.tsv", 2, {"--valid", "valid.tsv"}), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  Result evaluated = run({"eval", "--checkpoint", "run", "--json"}, dir.path());
  REQUIRE_MESSAGE(evaluated.status == 0, evaluated.err);
  CHECK(nlohmann::json::parse(evaluated.out)["examples"] == 3);
}

TEST_CASE("pairs longer than the configured limits are counted and reported, not cut") {
  TempDir dir;
  write_file(dir / "numbers.tsv", numbers_in_words(100));
  write_file(dir / "valid.tsv", "twelve\t12\nninety-one\t91\nseven thousand\t7000\n");
  Result trained = run(pairs_run("numbers.tsv", 2, {"--valid", "valid.tsv"}, R"({"embedding": 8, "pairs": {"max_source_length": 20}})"),
                       dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  CHECK_MESSAGE(trained.err.find("training pairs are longer than") != std::string::npos, trained.err);
  CHECK(stored_config(dir)["source_length"].get<int>() <= 20);
}

TEST_CASE("a pairs line without a tab is an error naming the file and line") {
  expect_data_error("one\t1\ntwo 2\n", "bad.tsv:2: no tab");
}

TEST_CASE("a pairs line with an empty side is an error naming the file and line") {
  expect_data_error("one\t1\n\t2\n", "bad.tsv:2: the source (before the tab) is empty");
  expect_data_error("one\t1\ntwo\t1\nthree\t\n", "bad.tsv:3: the target (after the tab) is empty");
}

TEST_CASE("a pairs line that is not UTF-8 is an error naming the file and line") {
  expect_data_error("one\t1\ntw\xff\t2\n", "bad.tsv:2: not valid UTF-8 (byte 3 of the line)");
}

TEST_CASE("a missing pairs file is an error naming it") {
  TempDir dir;
  Result result = run(pairs_run("missing.tsv", 2), dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("missing.tsv: cannot read") != std::string::npos, result.err);
}

TEST_CASE("an unknown character at predict time reads as <unk> with a warning") {
  TempDir dir;
  write_file(dir / "numbers.tsv", numbers_in_words(100));
  REQUIRE(run(pairs_run("numbers.tsv", 2), dir.path()).status == 0);
  Result predicted = run({"predict", "--checkpoint", "run", "--input", "f\xc3\xbcnf", "--json"}, dir.path());
  REQUIRE_MESSAGE(predicted.status == 0, predicted.err);
  CHECK_MESSAGE(predicted.err.find("warning: '\xc3\xbc' (U+00FC) is not in the source vocabulary; read as <unk>") != std::string::npos,
                predicted.err);
  CHECK(nlohmann::json::parse(predicted.out)["source"].size() == 4);
}
