// A short training run of each model on each backend, then eval and predict on what it saved:
// the run folder's files, PyTorch's parameter names, metrics.jsonl, --json and --png.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace trainer_test;

namespace {

// A parameter of each model under its PyTorch state_dict name (MODELS.md).
std::string pytorch_name(const std::string& model) {
  if (model == "seq2seq") return "encoder.lstm.weight_ih_l0_reverse";
  if (model == "charlm") return "blocks.0.attn.qkv.weight";
  if (model == "classify") return "pool.key.weight";
  return "patch.weight";
}

std::string headline_metric(const std::string& model) {
  return model == "seq2seq" ? "exact_match" : model == "charlm" ? "bits_per_byte" : "accuracy";  // vit, classify
}

void check_run_folder(const TempDir& dir, const std::string& model) {
  nlohmann::json header = safetensors_header(dir / "run/model.safetensors");
  CHECK(header["__metadata__"]["model"] == model);
  CHECK(nlohmann::json::parse(header["__metadata__"]["config"].get<std::string>()).is_object());
  CHECK(header.contains(pytorch_name(model)));
  for (const auto& [name, entry] : header.items()) CHECK_MESSAGE(!name.starts_with("optim."), name);  // parameters only

  nlohmann::json training = safetensors_header(dir / "run/training.safetensors");
  CHECK(training.contains("optim.hyper"));
  CHECK(training.contains("trainer.step"));
  CHECK(training.contains("optim." + pytorch_name(model) + ".exp_avg"));

  std::vector<nlohmann::json> metrics = json_lines(dir / "run/metrics.jsonl");
  REQUIRE(!metrics.empty());
  CHECK(metrics.back()["final"] == true);
  CHECK(metrics.back()["step"] == 3);
  CHECK(metrics.back().contains(headline_metric(model)));
}

void check_prediction(const TempDir& dir, const std::string& model, const std::string& backend) {
  std::vector<std::string> predict{"predict", "--checkpoint", "run", "--backend", backend, "--json", "--png", "attention.png"};
  if (model == "charlm") predict.insert(predict.end(), {"--input", "the quick", "--generate", "5", "--top-k", "4"});
  else predict.insert(predict.end(), {"--index", "2"});
  Result result = run(predict, dir.path());
  REQUIRE_MESSAGE(result.status == 0, result.err);
  nlohmann::json prediction = nlohmann::json::parse(result.out);
  CHECK(prediction.contains("output"));
  const nlohmann::json& attention = prediction["attention"];
  REQUIRE(attention.is_array());
  REQUIRE(!attention.empty());
  CHECK(attention.size() == prediction["target"].size());
  for (const nlohmann::json& row : attention) CHECK(row.size() == prediction["source"].size());
  if (model == "charlm") CHECK(prediction["generated"].get<std::string>().size() == 5);

  // The PNG decodes and has the size heed-train stated: "wrote FILE (W x H pixels)".
  size_t pixels = result.err.find(" pixels)");
  REQUIRE_MESSAGE(pixels != std::string::npos, result.err);
  int width = 0, height = 0;
  REQUIRE(std::sscanf(result.err.c_str() + result.err.rfind('(', pixels), "(%d x %d pixels)", &width, &height) == 2);
  PngSize size = decode_png(dir / "attention.png");
  CHECK(size.width == width);
  CHECK(size.height == height);
  CHECK(size.width > 100);
  CHECK(size.height > 50);

  // Without --json: the answer and a heat map in the terminal.
  std::vector<std::string> text{"predict", "--checkpoint", "run", "--backend", backend};
  if (model == "charlm") text.insert(text.end(), {"--input", "the quick"});
  Result shown = run(text, dir.path());
  REQUIRE_MESSAGE(shown.status == 0, shown.err);
  CHECK(shown.out.find("output") != std::string::npos);
  CHECK(shown.out.find("shade: share of") != std::string::npos);
}

}  // namespace

TEST_CASE("a short run of each model on each backend, evaluated and asked for a prediction") {
  for (const std::string& backend : test_backends()) {
    for (const std::string& model : all_models) {
      CAPTURE(backend);
      CAPTURE(model);
      TempDir dir;
      Result trained = run(small_run(model, backend, "run", dir), dir.path());
      REQUIRE_MESSAGE(trained.status == 0, trained.err);
      CHECK(trained.out.find("after 3 steps") != std::string::npos);
      CHECK(trained.err.find("step 3/3 loss") != std::string::npos);  // plain progress lines: not a terminal
      check_run_folder(dir, model);

      Result evaluated = run({"eval", "--checkpoint", "run", "--backend", backend, "--json", "--limit", "8"}, dir.path());
      REQUIRE_MESSAGE(evaluated.status == 0, evaluated.err);
      nlohmann::json evaluation = nlohmann::json::parse(evaluated.out);
      CHECK(evaluation["model"] == model);
      CHECK(evaluation["metric"] == headline_metric(model));
      CHECK(evaluation["value"].get<double>() >= 0);

      check_prediction(dir, model, backend);
    }
  }
}

TEST_CASE("backends lists each module and whether it loaded") {
  TempDir dir;
  Result result = run({"backends"}, dir.path());
  REQUIRE(result.status == 0);
  for (const std::string& backend : test_backends()) CHECK(result.out.find(backend + " ") != std::string::npos);
  CHECK(result.out.find("loaded") != std::string::npos);
}
