// Nothing lost: a run stopped and resumed follows the loss curve of one that was not stopped;
// Ctrl-C saves before exiting; a non-finite loss stops the run and keeps the last good checkpoint.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"
#include "step_losses.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <sstream>
#include <thread>

using namespace trainer_test;

namespace {

// metrics.jsonl without the one field that measures wall time.
std::vector<nlohmann::json> metrics_without_time(const std::filesystem::path& path) {
  std::vector<nlohmann::json> lines = json_lines(path);
  for (nlohmann::json& line : lines) line.erase("eval_s");
  return lines;
}

}  // namespace

TEST_CASE("a run stopped half way and resumed equals the run that was not stopped") {
  for (const std::string& model : all_models) {
    CAPTURE(model);
    TempDir dir;
    auto straight = small_run(model, "cpu", "straight", dir, 6);
    straight.insert(straight.end(), {"--eval-every", "2"});
    Result whole = run(straight, dir.path());
    REQUIRE_MESSAGE(whole.status == 0, whole.err);

    auto halves = small_run(model, "cpu", "halves", dir, 6);
    halves.insert(halves.end(), {"--eval-every", "2", "--stop-after", "3"});
    Result first = run(halves, dir.path());
    REQUIRE_MESSAGE(first.status == 0, first.err);
    CHECK(first.err.find("--resume --out halves") != std::string::npos);  // it says how to continue
    Result second = run({"train", "--resume", "--out", "halves", "--log-every", "1"}, dir.path());
    REQUIRE_MESSAGE(second.status == 0, second.err);

    std::map<int, std::string> expected = step_losses(whole.err), resumed = step_losses(first.err);
    for (const auto& [step, loss] : step_losses(second.err)) resumed[step] = loss;
    REQUIRE(expected.size() == 6);
    CHECK(resumed == expected);
    CHECK(metrics_without_time(dir.path() / "halves/metrics.jsonl") == metrics_without_time(dir.path() / "straight/metrics.jsonl"));
    // The final parameters, bit for bit.
    CHECK(read_file(dir.path() / "halves/model.safetensors") == read_file(dir.path() / "straight/model.safetensors"));
  }
}

TEST_CASE("Ctrl-C saves a checkpoint and exits; --resume continues from it") {
  for (int signal : {SIGINT, SIGTERM}) {
    CAPTURE(signal);
    TempDir dir;
    Running training(small_run("seq2seq", "cpu", "run", dir, 1000000), dir.path());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (training.err().find("step 3/") == std::string::npos && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    training.signal(signal);
    Result stopped = training.wait();
    CHECK(stopped.status == 128 + signal);
    CHECK(stopped.err.find("checkpoint is saved") != std::string::npos);
    nlohmann::json metadata = safetensors_header(dir.path() / "run/model.safetensors")["__metadata__"];
    int step = std::stoi(metadata["step"].get<std::string>());
    CHECK(step >= 3);

    Result resumed = run({"train", "--resume", "--out", "run", "--stop-after", "2", "--log-every", "1"}, dir.path());
    REQUIRE_MESSAGE(resumed.status == 0, resumed.err);
    CHECK(resumed.err.find("step " + std::to_string(step + 2) + "/") != std::string::npos);
  }
}

TEST_CASE("a non-finite loss stops training, names the step and keeps the last good checkpoint") {
  TempDir dir;
  auto flags = small_run("seq2seq", "cpu", "run", dir, 50);
  flags.insert(flags.end(), {"--lr", "1e30", "--warmup", "0", "--save-every", "1"});
  Result result = run(flags, dir.path());
  CHECK(result.status == 3);
  size_t found = result.err.find("heed-train: step ");
  REQUIRE_MESSAGE(found != std::string::npos, result.err);
  CHECK_MESSAGE(result.err.find("(not finite)") != std::string::npos, result.err);
  int bad_step = 0;
  REQUIRE(std::sscanf(result.err.c_str() + found, "heed-train: step %d: the loss is", &bad_step) == 1);
  CHECK(result.err.find("--lr") != std::string::npos);
  if (bad_step > 1) {
    nlohmann::json metadata = safetensors_header(dir.path() / "run/model.safetensors")["__metadata__"];
    CHECK(std::stoi(metadata["step"].get<std::string>()) == bad_step - 1);
    CHECK(result.err.find("last good checkpoint (step " + std::to_string(bad_step - 1) + ")") != std::string::npos);
  }
}
