// predict --explain and eval --faithfulness, as a user runs them on each model.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"

#include <doctest/doctest.h>

#include <numeric>

using namespace trainer_test;

namespace {

std::vector<std::string> predict_flags(const std::string& model, const std::string& method) {
  std::vector<std::string> flags{"predict", "--checkpoint", "run", "--json", "--explain", method};
  if (model == "charlm") flags.insert(flags.end(), {"--input", "the quick"});
  else flags.insert(flags.end(), {"--index", "1"});
  return flags;
}

}  // namespace

TEST_CASE("predict --explain gives each model's explanations as distributions over its input") {
  for (const std::string& model : all_models) {
    CAPTURE(model);
    TempDir dir;
    Result trained = run(small_run(model, "cpu", "run", dir), dir.path());
    REQUIRE_MESSAGE(trained.status == 0, trained.err);
    for (const std::string method : {"attention", "rollout", "grad-attention"}) {
      CAPTURE(method);
      Result predicted = run(predict_flags(model, method), dir.path());
      if (model == "seq2seq" && method == std::string("rollout")) {  // one attention a step: nothing to roll out
        CHECK(predicted.status != 0);
        CHECK_MESSAGE(predicted.err.find("--explain rollout: rolls attention out through a Transformer's layers") != std::string::npos,
                      predicted.err);
        continue;
      }
      REQUIRE_MESSAGE(predicted.status == 0, predicted.err);
      nlohmann::json prediction = nlohmann::json::parse(predicted.out);
      REQUIRE(!prediction["attention"].empty());
      // vit's raw attention is each layer's CLS row over the patches; the rest are one distribution a row.
      const nlohmann::json& row = prediction["attention"][0];
      double total = 0;
      for (const nlohmann::json& value : row) {
        CHECK(value.get<double>() >= 0);
        total += value.get<double>();
      }
      if (method != std::string("attention") && model != "charlm") CHECK(total == doctest::Approx(1.0).epsilon(1e-4));
      CHECK(total > 0);
    }
  }
}

TEST_CASE("eval --faithfulness reports, for each explanation method and random removal, the drop at each k") {
  TempDir dir;
  Result trained = run(small_run("classify", "cpu", "run", dir), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
  Result measured = run({"eval", "--checkpoint", "run", "--faithfulness", "--json", "--batch", "4"}, dir.path());
  REQUIRE_MESSAGE(measured.status == 0, measured.err);
  nlohmann::json result = nlohmann::json::parse(measured.out);
  CHECK(result["metric"] == "faithfulness");
  for (const std::string removal : {"attention", "rollout", "grad-attention", "random"})
    for (const std::string k : {"1", "4", "16", "64"}) CHECK_MESSAGE(result["drop"][removal].contains(k), removal << " " << k);
  Result text = run({"eval", "--checkpoint", "run", "--faithfulness", "--batch", "4"}, dir.path());
  CHECK(text.out.find("removal \\ k") != std::string::npos);
}

TEST_CASE("eval --faithfulness on a model that does not classify says so") {
  TempDir dir;
  REQUIRE(run(small_run("seq2seq", "cpu", "run", dir), dir.path()).status == 0);
  Result result = run({"eval", "--checkpoint", "run", "--faithfulness"}, dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("--faithfulness: the seq2seq model does not measure") != std::string::npos, result.err);
}
