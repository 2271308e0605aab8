#pragma once
// Tiny configurations of the four models and the flags of a short run, so that every test
// trains in a second or two while going through exactly the code a full run does.
#include "files.hpp"
#include "../support/temp_dir.hpp"

#include <string>
#include <vector>

namespace trainer_test {

using heed_test::TempDir;

inline const std::vector<std::string> all_models{"seq2seq", "charlm", "vit", "classify"};

inline std::string small_config(const std::string& model) {
  if (model == "seq2seq") return R"({"embedding": 16, "encoder_hidden": 16, "decoder_hidden": 32, "attention": 16})";
  if (model == "charlm") return R"({"width": 32, "heads": 2, "layers": 1, "mlp": 64, "context": 32})";
  if (model == "classify") return R"({"width": 16, "heads": 2, "layers": 1, "mlp": 32, "attention": 8, "context": 48})";
  return R"({"width": 16, "heads": 2, "layers": 1, "mlp": 32})";
}

// A small label<TAB>text file for classify: two topics of made-up sentences, 80 lines.
inline std::string write_labelled_texts(const TempDir& dir) {
  std::string path = dir / "texts.tsv";
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "weather\tit rains " + std::to_string(i) + " days in a row, then the sun comes out\n";
    text += "food\tbake the bread " + std::to_string(i) + " minutes and serve it with butter\n";
  }
  write_file(path, text);
  return path;
}

// A small text corpus for charlm (its held-out 5 % still holds a dozen windows of 32 bytes), so
// the tests read neither the 2.5 MB fortunes corpus nor depend on it.
inline std::string write_corpus(const TempDir& dir) {
  std::string path = dir / "corpus.txt";
  std::string text;
  for (int i = 0; text.size() < 12000; ++i)
    text += "The quick brown fox " + std::to_string(i) + " jumps over the lazy dog; pack my box with five dozen jugs.\n";
  write_file(path, text);
  return path;
}

// `train` flags for a run of `steps` steps of batch 4 of the small `model` into `out`.
inline std::vector<std::string> small_run(const std::string& model, const std::string& backend, const std::string& out,
                                          const TempDir& dir, int steps = 3) {
  std::vector<std::string> flags{"train",         "--model",      model,        "--backend",    backend, "--steps", std::to_string(steps),
                                 "--batch",       "4",            "--config",   small_config(model), "--out", out,
                                 "--eval-limit",  "8",            "--eval-batch", "4", "--log-every", "1"};
  if (model == "charlm" || model == "classify") {
    flags.push_back("--data");
    flags.push_back(model == "charlm" ? write_corpus(dir) : write_labelled_texts(dir));
  }
  return flags;
}

}  // namespace trainer_test
