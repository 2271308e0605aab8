// classify on the user's label<TAB>text files: the classes a run stores, eval and predict with
// the data gone, the attention over the words, and every bad line named.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"

#include <doctest/doctest.h>

using namespace trainer_test;

namespace {

std::vector<std::string> classify_run(const std::string& data, int steps, std::vector<std::string> extra = {}) {
  std::vector<std::string> flags{"train", "--model", "classify", "--data", data, "--steps", std::to_string(steps), "--batch", "8",
                                 "--config", small_config("classify"), "--out", "run", "--eval-batch", "16", "--log-every", "1"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

void expect_data_error(const std::string& text, const std::string& message) {
  TempDir dir;
  write_file(dir / "bad.tsv", text);
  Result result = run(classify_run("bad.tsv", 2), dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find(message) != std::string::npos, result.err);
}

}  // namespace

TEST_CASE("a classify run stores its class names, and eval and predict need no data") {
  TempDir dir;
  std::string data = write_labelled_texts(dir);
  write_file(dir / "other.tsv", "weather\tsnow falls all night\nfood\tboil the pasta in salted water\n");
  Result trained = run(classify_run(data, 3), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  CHECK_MESSAGE(trained.err.find("training texts are longer than 48 bytes") != std::string::npos, trained.err);
  nlohmann::json header = safetensors_header(dir / "run/model.safetensors");
  nlohmann::json config = nlohmann::json::parse(header["__metadata__"]["config"].get<std::string>());
  CHECK(config["labels"] == nlohmann::json({"food", "weather"}));  // sorted by name
  std::filesystem::remove(data);

  Result predicted = run({"predict", "--checkpoint", "run", "--input", "it rains and rains", "--json", "--png", "words.png"}, dir.path());
  REQUIRE_MESSAGE(predicted.status == 0, predicted.err);
  nlohmann::json prediction = nlohmann::json::parse(predicted.out);
  CHECK((prediction["output"] == "food" || prediction["output"] == "weather"));
  CHECK(prediction["probabilities"].size() == 2);
  REQUIRE(prediction["words"].size() == 4);
  CHECK(prediction["words"][1]["word"] == "rains");
  // A word's weight is its bytes' weights summed: the words hold all but the spaces' share.
  double words = 0, bytes = 0, all = 0;
  for (const nlohmann::json& word : prediction["words"]) words += word["weight"].get<double>();
  std::string input = "it rains and rains";
  for (size_t i = 0; i < input.size(); ++i) {
    double weight = prediction["attention"][0][i].get<double>();
    all += weight;
    if (input[i] != ' ') bytes += weight;
  }
  CHECK(all == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(words == doctest::Approx(bytes).epsilon(1e-5));
  CHECK(decode_png(dir / "words.png").width > 0);

  Result shown = run({"predict", "--checkpoint", "run", "--input", "bake the bread"}, dir.path());
  REQUIRE_MESSAGE(shown.status == 0, shown.err);
  CHECK(shown.out.find("attention over the words") != std::string::npos);
  CHECK(shown.out.find("classes  ") != std::string::npos);

  Result measured = run({"eval", "--checkpoint", "run", "--data", "other.tsv", "--json"}, dir.path());
  REQUIRE_MESSAGE(measured.status == 0, measured.err);
  CHECK(nlohmann::json::parse(measured.out)["examples"] == 2);
  CHECK(nlohmann::json::parse(measured.out).contains("majority_accuracy"));

  Result gone = run({"eval", "--checkpoint", "run"}, dir.path());
  CHECK(gone.status != 0);
  CHECK_MESSAGE(gone.err.find("eval --data FILE") != std::string::npos, gone.err);
}

TEST_CASE("eval of a classifier on a file with a label it never learnt names the label and line") {
  TempDir dir;
  REQUIRE(run(classify_run(write_labelled_texts(dir), 2), dir.path()).status == 0);
  write_file(dir / "other.tsv", "weather\tsnow\nsport\trun a mile\n");
  Result result = run({"eval", "--checkpoint", "run", "--data", "other.tsv"}, dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("other.tsv:2: the label 'sport' is not one of the model's classes") != std::string::npos, result.err);
}

TEST_CASE("a label<TAB>text line without a tab, with an empty side or invalid UTF-8 names the file and line") {
  expect_data_error("a\tone\nb two\n", "bad.tsv:2: no tab");
  expect_data_error("a\tone\n\ttwo\n", "bad.tsv:2: the label (before the tab) is empty");
  expect_data_error("a\tone\nb\t\n", "bad.tsv:2: the text (after the tab) is empty");
  expect_data_error("a\tone\nb\tt\xc3(o\n", "bad.tsv:2: not valid UTF-8 (byte 4 of the line)");
}

TEST_CASE("labelled texts with a single label are refused: a classifier needs two classes") {
  expect_data_error("a\tone\na\ttwo\n", "every line has the label 'a'");
}
