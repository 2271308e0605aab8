// heed-train under mpirun: two ranks at a global --batch follow one process at that batch; rank 0
// alone writes files, and the ranks need no shared file system (rank 1 runs in a folder of its
// own, which stays empty); --stop-after and --resume equal the uninterrupted run bit for bit;
// SIGTERM to mpirun stops both ranks after the same step with the checkpoint saved; a killed rank
// ends the job, named.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"
#include "step_losses.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <thread>

using namespace trainer_test;

namespace {

std::string mpirun() {
  const char* path = std::getenv("HEED_MPIRUN");
  if (!path || !*path) throw std::runtime_error("HEED_MPIRUN is not set: run these tests through meson test");
  return path;
}

// mpirun starting two ranks of heed-train with `arguments`: rank 0 in `dir`/rank0, rank 1 in
// `dir`/rank1, one CPU thread each.
Command two_ranks(const TempDir& dir, const std::vector<std::string>& arguments) {
  std::filesystem::create_directories(dir.path() / "rank0");
  std::filesystem::create_directories(dir.path() / "rank1");
  std::vector<std::string> argv{mpirun(), "--allow-run-as-root", "--oversubscribe", "-x", "HEED_THREADS=1"};
  for (int rank = 0; rank < 2; ++rank) {
    if (rank == 1) argv.push_back(":");
    argv.insert(argv.end(), {"-np", "1", "--wdir", (dir.path() / ("rank" + std::to_string(rank))).string(), heed_train()});
    argv.insert(argv.end(), arguments.begin(), arguments.end());
  }
  return {argv};
}

// Every step's loss within `relative` of one process's, and step 1's within 1e-6.
void check_same_curve(const std::string& one_err, const std::string& two_err, size_t steps, double relative) {
  std::map<int, std::string> one = step_losses(one_err), two = step_losses(two_err);
  REQUIRE(one.size() == steps);
  REQUIRE(two.size() == steps);
  for (const auto& [step, loss] : one) {
    CAPTURE(step);
    double expected = std::stod(loss), got = std::stod(two.at(step));
    CHECK(std::abs(got - expected) <= (step == 1 ? 1e-6 : relative) * std::abs(expected));
  }
}

// Waits until `process` has printed `text` on stderr, for at most a minute.
void wait_for_output(const Running& process, const std::string& text) {
  for (int i = 0; i < 600 && process.err().find(text) == std::string::npos; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE_MESSAGE(process.err().find(text) != std::string::npos, process.err());
}

// The processes mpirun started (its children), from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string pid, name, state;
    pid_t ppid = 0;
    if (stat >> pid >> name >> state >> ppid && ppid == parent) children.push_back(static_cast<pid_t>(std::stol(pid)));
  }
  return children;
}

}  // namespace

TEST_CASE("two ranks at --batch 16 follow one process at --batch 16, and rank 0 alone writes files") {
  TempDir dir;
  const std::vector<std::string> flags{"train", "--model", "charlm", "--steps", "20", "--batch", "16", "--log-every", "1", "--out", "run"};
  std::filesystem::create_directories(dir.path() / "one");
  Result one = run(flags, dir.path() / "one");
  REQUIRE_MESSAGE(one.status == 0, one.err);
  Result two = run(two_ranks(dir, flags), dir.path());
  REQUIRE_MESSAGE(two.status == 0, two.err << two.out);
  CHECK(two.err.find("2 ranks of batch 8 each") != std::string::npos);
  check_same_curve(one.err, two.err, 20, 1e-3);
  CHECK(std::filesystem::is_empty(dir.path() / "rank1"));
  // The checkpoint of two ranks loads in one process.
  Result evaluated = run({"eval", "--checkpoint", "run"}, dir.path() / "rank0");
  CHECK_MESSAGE(evaluated.status == 0, evaluated.err);
  CHECK(evaluated.out.find("bits per byte") != std::string::npos);
}

TEST_CASE("seq2seq on pairs of different lengths: two ranks weigh their losses by counted tokens and follow one process") {
  TempDir dir;
  std::string pairs;
  for (int i = 0; i < 200; ++i) pairs += "item " + std::to_string(i) + "\t" + std::string(static_cast<size_t>(1 + (i * i) % 23), static_cast<char>('a' + i % 26)) + "\n";
  write_file(dir / "pairs.tsv", pairs);
  const std::vector<std::string> flags{"train", "--model", "seq2seq", "--data", (dir.path() / "pairs.tsv").string(), "--config",
                                       small_config("seq2seq"), "--steps", "10", "--batch", "8", "--log-every", "1", "--out", "run"};
  std::filesystem::create_directories(dir.path() / "one");
  Result one = run(flags, dir.path() / "one");
  REQUIRE_MESSAGE(one.status == 0, one.err);
  Result two = run(two_ranks(dir, flags), dir.path());
  REQUIRE_MESSAGE(two.status == 0, two.err << two.out);
  check_same_curve(one.err, two.err, 10, 1e-3);
}

TEST_CASE("two ranks stopped by --stop-after and resumed equal the uninterrupted two-rank run bit for bit") {
  TempDir dir;
  std::vector<std::string> flags{"train", "--model", "charlm", "--config", small_config("charlm"), "--data", write_corpus(dir),
                                 "--steps", "12", "--batch", "8", "--eval-every", "4", "--eval-limit", "8", "--log-every", "1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> all = flags;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  Result straight = run(two_ranks(dir, with({"--out", "straight"})), dir.path());
  REQUIRE_MESSAGE(straight.status == 0, straight.err);
  Result first = run(two_ranks(dir, with({"--out", "halves", "--stop-after", "6"})), dir.path());
  REQUIRE_MESSAGE(first.status == 0, first.err);
  // Rank 1 has no copy of the run folder: rank 0 reads it and gives rank 1 what it needs.
  Result second = run(two_ranks(dir, {"train", "--resume", "--out", "halves", "--log-every", "1"}), dir.path());
  REQUIRE_MESSAGE(second.status == 0, second.err);
  CHECK(read_file(dir.path() / "rank0/straight/training.safetensors") == read_file(dir.path() / "rank0/halves/training.safetensors"));
  CHECK(read_file(dir.path() / "rank0/straight/model.safetensors") == read_file(dir.path() / "rank0/halves/model.safetensors"));
  CHECK(std::filesystem::is_empty(dir.path() / "rank1"));
}

TEST_CASE("SIGTERM to mpirun stops both ranks after the same step, with the checkpoint saved") {
  TempDir dir;
  // Few progress lines: once mpirun has the signal it stops passing the ranks' output on, and a
  // rank blocked writing a full pipe could not stop within mpirun's grace period (1 s by default).
  Running job(two_ranks(dir, {"train", "--model", "charlm", "--config", small_config("charlm"), "--data", write_corpus(dir), "--steps", "100000",
                              "--batch", "8", "--log-every", "100", "--out", "run"}),
              dir.path());
  wait_for_output(job, "step 100/");
  job.signal(SIGTERM);
  Result result = job.wait();
  CHECK(result.status != 0);
  int leader = -1, follower = -1;
  auto after_step = [&](const std::string& prefix) {
    size_t at = result.err.find(prefix);
    return at == std::string::npos ? -1 : std::stoi(result.err.substr(at + prefix.size()));
  };
  leader = after_step("heed-train: stopped by signal 15 after step ");
  follower = after_step("heed-train (rank 1 of 2): stopped by signal 15 after step ");
  REQUIRE_MESSAGE(leader > 0, result.err);
  CHECK(follower == leader);
  nlohmann::json header = safetensors_header(dir.path() / "rank0/run/model.safetensors");
  CHECK(header["__metadata__"]["step"] == std::to_string(leader));
}

TEST_CASE("a rank that is killed ends the job within a minute, and mpirun names it") {
  TempDir dir;
  Running job(two_ranks(dir, {"train", "--model", "charlm", "--config", small_config("charlm"), "--data", write_corpus(dir), "--steps", "100000",
                              "--batch", "8", "--log-every", "1", "--save-every", "2", "--out", "run"}),
              dir.path());
  wait_for_output(job, "step 5/");
  std::vector<pid_t> ranks = children_of(job.pid());
  REQUIRE(ranks.size() == 2);
  auto killed_at = std::chrono::steady_clock::now();
  ::kill(ranks.back(), SIGKILL);
  Result result = job.wait();
  CHECK(std::chrono::steady_clock::now() - killed_at < std::chrono::minutes(1));
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("exited on signal 9") != std::string::npos, result.err);
  CHECK(result.err.find("process rank") != std::string::npos);
  // The last checkpoint is whole: one process resumes it.
  Result resumed = run({"train", "--resume", "--out", "run", "--stop-after", "1"}, dir.path() / "rank0");
  CHECK_MESSAGE(resumed.status == 0, resumed.err);
}

TEST_CASE("a --batch the ranks cannot share evenly is refused, naming it") {
  TempDir dir;
  Result result = run(two_ranks(dir, {"train", "--model", "charlm", "--steps", "2", "--batch", "15"}), dir.path());
  CHECK(result.status != 0);
  CHECK_MESSAGE(result.err.find("--batch 15: it is the batch of all 2 ranks together") != std::string::npos, result.err);
  CHECK(std::filesystem::is_empty(dir.path() / "rank1"));
}
