// Bad input gets a clear error: what is wrong, and what would be right.
#include "files.hpp"
#include "run_tool.hpp"
#include "small_runs.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace trainer_test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A trained small seq2seq run in `dir`/run.
void train_small(const TempDir& dir, const std::string& model = "seq2seq", const std::string& out = "run") {
  Result trained = run(small_run(model, "cpu", out, dir), dir.path());
  REQUIRE_MESSAGE(trained.status == 0, trained.err);
}

}  // namespace

TEST_CASE("an unknown model, backend, flag or command lists the valid ones") {
  TempDir dir;
  Result model = run({"train", "--model", "gpt5"}, dir.path());
  CHECK(model.status == 2);
  CHECK_MESSAGE(contains(model.err, "unknown model 'gpt5'"), model.err);
  CHECK_MESSAGE(contains(model.err, "seq2seq, charlm, vit"), model.err);

  Result backend = run({"train", "--backend", "cuda"}, dir.path());
  CHECK(backend.status == 2);
  CHECK_MESSAGE(contains(backend.err, "unknown backend 'cuda'"), backend.err);
  CHECK_MESSAGE(contains(backend.err, "cpu, vulkan"), backend.err);

  Result flag = run({"train", "--stpes", "3"}, dir.path());
  CHECK(flag.status == 2);
  CHECK_MESSAGE(contains(flag.err, "unknown flag --stpes"), flag.err);
  for (const char* valid : {"--model", "--steps", "--batch", "--lr", "--resume", "--save-every"}) CHECK_MESSAGE(contains(flag.err, valid), flag.err);

  Result eval_flag = run({"eval", "--checkpoint", "x", "--jsn"}, dir.path());
  CHECK(eval_flag.status == 2);
  CHECK_MESSAGE(contains(eval_flag.err, "unknown flag --jsn"), eval_flag.err);
  CHECK_MESSAGE(contains(eval_flag.err, "--json"), eval_flag.err);

  Result command = run({"trian"}, dir.path());
  CHECK(command.status == 2);
  CHECK_MESSAGE(contains(command.err, "unknown command 'trian'"), command.err);
  CHECK_MESSAGE(contains(command.err, "train, eval, predict, backends"), command.err);

  Result stray = run({"train", "seq2seq"}, dir.path());
  CHECK(stray.status == 2);
  CHECK_MESSAGE(contains(stray.err, "unexpected argument 'seq2seq'"), stray.err);
}

TEST_CASE("--help documents every flag with its default") {
  TempDir dir;
  for (std::string command : {"train", "eval", "predict"}) {
    CAPTURE(command);
    Result help = run({command, "--help"}, dir.path());
    CHECK(help.status == 0);
    // Every flag (other than --help itself) is listed, and each description states its default.
    int flags = 0;
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) flags += line.starts_with("  --");
    size_t defaults = 0;
    for (size_t at = help.out.find("default"); at != std::string::npos; at = help.out.find("default", at + 1)) ++defaults;
    CHECK_MESSAGE(flags >= 5, help.out);
    CHECK_MESSAGE(defaults >= static_cast<size_t>(flags), help.out);
    CHECK(contains(help.out, "--backend"));
  }
}

TEST_CASE("a missing data file names the Debian package that provides it") {
  TempDir dir;
  Result images = run({"train", "--model", "vit", "--data", dir / "nowhere", "--steps", "1"}, dir.path());
  CHECK(images.status == 1);
  CHECK_MESSAGE(contains(images.err, "dataset-fashion-mnist"), images.err);
  CHECK_MESSAGE(contains(images.err, dir / "nowhere"), images.err);

  Result text = run({"train", "--model", "charlm", "--data", dir / "nowhere.txt", "--steps", "1"}, dir.path());
  CHECK(text.status == 1);
  CHECK_MESSAGE(contains(text.err, "apt-get install fortunes"), text.err);
  CHECK_MESSAGE(contains(text.err, dir / "nowhere.txt"), text.err);
}

TEST_CASE("a corrupt or truncated checkpoint is an error naming the file") {
  TempDir dir;
  train_small(dir);
  write_file(dir / "garbage.safetensors", "this is not a safetensors file at all");
  Result garbage = run({"eval", "--checkpoint", "garbage.safetensors"}, dir.path());
  CHECK(garbage.status == 1);
  CHECK_MESSAGE(contains(garbage.err, "garbage.safetensors"), garbage.err);

  std::string bytes = read_file(dir / "run/model.safetensors");
  write_file(dir / "truncated.safetensors", bytes.substr(0, bytes.size() / 2));
  Result truncated = run({"predict", "--checkpoint", "truncated.safetensors", "--index", "0"}, dir.path());
  CHECK(truncated.status == 1);
  CHECK_MESSAGE(contains(truncated.err, "truncated.safetensors"), truncated.err);

  Result missing = run({"eval", "--checkpoint", "no-such-run"}, dir.path());
  CHECK(missing.status == 1);
  CHECK_MESSAGE(contains(missing.err, "no-such-run"), missing.err);

  write_file(dir / "run/training.safetensors", bytes.substr(0, 100));
  Result resume = run({"train", "--resume", "--out", "run"}, dir.path());
  CHECK(resume.status == 1);
  CHECK_MESSAGE(contains(resume.err, "training.safetensors"), resume.err);
}

TEST_CASE("a checkpoint of another model says what does not match") {
  TempDir dir;
  train_small(dir, "seq2seq", "dates");
  train_small(dir, "vit", "images");

  Result named = run({"eval", "--checkpoint", "images", "--model", "seq2seq"}, dir.path());
  CHECK(named.status == 1);
  CHECK_MESSAGE(contains(named.err, "holds a vit model, not seq2seq"), named.err);

  // vit's tensors under seq2seq's name: every mismatch is listed at once.
  rewrite_metadata(dir / "images/model.safetensors", dir / "disguised.safetensors", {{"model", "seq2seq"}});
  Result disguised = run({"eval", "--checkpoint", "disguised.safetensors"}, dir.path());
  CHECK(disguised.status == 1);
  CHECK_MESSAGE(contains(disguised.err, "does not match the model"), disguised.err);
  CHECK_MESSAGE(contains(disguised.err, "encoder.lstm.weight_ih_l0"), disguised.err);  // missing
  CHECK_MESSAGE(contains(disguised.err, "patch.weight"), disguised.err);               // unexpected

  // A file without metadata needs --model.
  rewrite_metadata(dir / "dates/model.safetensors", dir / "bare.safetensors", nlohmann::json::object());
  Result bare = run({"eval", "--checkpoint", "bare.safetensors", "--limit", "4"}, dir.path());
  CHECK(bare.status == 1);
  CHECK_MESSAGE(contains(bare.err, "give --model"), bare.err);

  Result resumed = run({"train", "--resume", "--out", "dates", "--model", "charlm"}, dir.path());
  CHECK(resumed.status == 1);
  CHECK_MESSAGE(contains(resumed.err, "holds a seq2seq run, not charlm"), resumed.err);

  Result changed = run({"train", "--resume", "--out", "dates", "--lr", "0.5"}, dir.path());
  CHECK(changed.status == 1);
  CHECK_MESSAGE(contains(changed.err, "resumed run keeps its settings"), changed.err);

  Result taken = run(small_run("seq2seq", "cpu", "dates", dir), dir.path());
  CHECK(taken.status == 1);
  CHECK_MESSAGE(contains(taken.err, "already holds a run"), taken.err);
}

TEST_CASE("bad values for predict are errors that say why") {
  TempDir dir;
  train_small(dir);
  Result character = run({"predict", "--checkpoint", "run", "--input", "3 march 1998!"}, dir.path());
  CHECK(character.status == 1);
  CHECK_MESSAGE(contains(character.err, "'!'"), character.err);
  Result generate = run({"predict", "--checkpoint", "run", "--generate", "10"}, dir.path());
  CHECK(generate.status == 1);
  CHECK_MESSAGE(contains(generate.err, "only charlm generates"), generate.err);
}
