// --precision bf16: products on bf16 copies of their operands with f32 sums. A run remembers its
// precision (a resumed run keeps it, bit for bit), follows the f32 run's losses closely, and a
// backend that holds no bf16 values refuses the flag by name, as the CPU backend does on a CPU
// without bf16 products.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"
#include "step_losses.hpp"
#include "../support/cpu_features.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace trainer_test;

namespace {

std::vector<std::string> with(std::vector<std::string> flags, std::initializer_list<std::string> more) {
  flags.insert(flags.end(), more);
  return flags;
}

// Runs `body` where this CPU has bf16 products; elsewhere checks that a bf16 run is refused,
// naming the instructions and the flag to drop, and leaves no run folder behind.
template <typename Body>
void where_bf16_products_run(Body body) {
  if (heed::test::cpu_has_bf16_products()) {
    body();
    return;
  }
  TempDir dir;
  Result refused = run(with(small_run("vit", "cpu", "run", dir, 2), {"--precision", "bf16"}), dir.path());
  CHECK(refused.status != 0);
  CHECK(refused.err.find(heed::test::no_bf16_products) != std::string::npos);
  CHECK(refused.err.find("drop --precision bf16") != std::string::npos);
  CHECK(!std::filesystem::exists(dir.path() / "run" / "model.safetensors"));
}

}  // namespace

TEST_CASE("each model trains under --precision bf16 within 2 % of its f32 losses, not equal to them") {
  where_bf16_products_run([] {
    for (const std::string& model : all_models) {
      CAPTURE(model);
      TempDir dir;
      Result in_f32 = run(small_run(model, "cpu", "f32", dir, 6), dir.path());
      REQUIRE_MESSAGE(in_f32.status == 0, in_f32.err);
      Result in_bf16 = run(with(small_run(model, "cpu", "bf16", dir, 6), {"--precision", "bf16"}), dir.path());
      REQUIRE_MESSAGE(in_bf16.status == 0, in_bf16.err);
      CHECK(in_bf16.err.find("bf16 products") != std::string::npos);  // the run says how it computes
      std::map<int, std::string> expected = step_losses(in_f32.err), got = step_losses(in_bf16.err);
      REQUIRE(expected.size() == 6);
      REQUIRE(got.size() == 6);
      CHECK(got != expected);
      for (const auto& [step, loss] : expected) {
        CAPTURE(step);
        CHECK(std::abs(std::stod(got[step]) - std::stod(loss)) <= 0.02 * std::stod(loss));
      }
    }
  });
}

TEST_CASE("a bf16 run stopped and resumed without the flag stays bf16 and equals the run that was not stopped") {
  where_bf16_products_run([] {
    TempDir dir;
    Result whole = run(with(small_run("charlm", "cpu", "straight", dir, 6), {"--precision", "bf16"}), dir.path());
    REQUIRE_MESSAGE(whole.status == 0, whole.err);
    Result first = run(with(small_run("charlm", "cpu", "halves", dir, 6), {"--precision", "bf16", "--stop-after", "3"}), dir.path());
    REQUIRE_MESSAGE(first.status == 0, first.err);
    Result second = run({"train", "--resume", "--out", "halves", "--log-every", "1"}, dir.path());
    REQUIRE_MESSAGE(second.status == 0, second.err);
    CHECK(second.err.find("bf16 products") != std::string::npos);
    std::map<int, std::string> expected = step_losses(whole.err), resumed = step_losses(first.err);
    for (const auto& [step, loss] : step_losses(second.err)) resumed[step] = loss;
    CHECK(resumed == expected);
    CHECK(read_file(dir.path() / "halves/model.safetensors") == read_file(dir.path() / "straight/model.safetensors"));
  });
}

TEST_CASE("--resume with another --precision than the run's is refused, naming the run's") {
  TempDir dir;
  Result first = run(with(small_run("vit", "cpu", "run", dir, 4), {"--stop-after", "2"}), dir.path());
  REQUIRE_MESSAGE(first.status == 0, first.err);
  Result resumed = run({"train", "--resume", "--out", "run", "--precision", "bf16"}, dir.path());
  CHECK(resumed.status != 0);
  CHECK(resumed.err.find("--precision: the run in run was started with precision f32") != std::string::npos);
}

TEST_CASE("eval and predict of a checkpoint take --precision bf16") {
  where_bf16_products_run([] {
    TempDir dir;
    Result trained = run(small_run("vit", "cpu", "run", dir, 3), dir.path());
    REQUIRE_MESSAGE(trained.status == 0, trained.err);
    Result evaluated = run({"eval", "--checkpoint", "run", "--precision", "bf16", "--limit", "8", "--json"}, dir.path());
    CHECK_MESSAGE(evaluated.status == 0, evaluated.err);
    CHECK(evaluated.out.find("accuracy") != std::string::npos);
    Result predicted = run({"predict", "--checkpoint", "run", "--precision", "bf16", "--index", "0", "--json"}, dir.path());
    CHECK_MESSAGE(predicted.status == 0, predicted.err);
  });
}

TEST_CASE("--precision takes f32 or bf16, and a backend without bf16 refuses bf16 by name") {
  TempDir dir;
  Result unknown = run(with(small_run("vit", "cpu", "run", dir, 1), {"--precision", "fp8"}), dir.path());
  CHECK(unknown.status != 0);
  CHECK(unknown.err.find("f32, bf16") != std::string::npos);
  for (const std::string& backend : test_backends()) {
    if (backend != "vulkan") continue;
    Result refused = run(with(small_run("vit", "vulkan", "run", dir, 1), {"--precision", "bf16"}), dir.path());
    CHECK(refused.status != 0);
    CHECK(refused.err.find("precision bf16") != std::string::npos);
    CHECK(refused.err.find("the vulkan backend does not hold") != std::string::npos);
  }
}
