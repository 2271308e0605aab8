#pragma once
// The one interface a model implements to get everything heed-train does: the training loop and
// its schedule, run folders, checkpoints and bit-exact resume, signals, metrics.jsonl, periodic
// evaluation, and prediction with its attention in the terminal, as PNG and as JSON.
//
// The contract:
// - build_training and build_inference return graphs built by the same model code, so that their
//   parameters share names (a checkpoint of one loads into the other).
// - next_batch feeds the inputs the given model has (a forward-only graph has no targets) and
//   draws from a stream whose position() a checkpoint stores and seek() restores exactly: the
//   same position gives the same batches, so a resumed run equals an uninterrupted one.
// - evaluate and predict run an inference graph that build_inference made, with its parameters
//   already loaded.
// Register the task's maker with heed/train/registry.hpp.
#include <heed/backend.hpp>
#include <heed/train/built_model.hpp>
#include <heed/train/prediction.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace heed::train {

struct TaskOptions {
  std::string config_json;  // the model's configuration; empty: its reference one
  std::string data;         // --data; empty: the model's default data
  // Held-out examples to measure instead of the task's own split of `data`: train's --valid, or
  // eval's --data. Only models that register a valid_help take one.
  std::string held_out;
  uint64_t seed = 0;        // parameter initialisation and the training stream's order
};

struct Evaluation {
  std::string metric;     // the headline figure's key, e.g. exact_match or accuracy
  double value = 0;
  nlohmann::json values;  // every figure, the headline included (one metrics.jsonl line)
  std::string summary;    // one line for people
};

// What `heed-train predict` asks of a model. A model uses what applies to it and rejects the
// rest with an error naming the flag.
struct PredictRequest {
  std::string input;        // --input: the model's own input as text (or a file name)
  int64_t index = -1;       // --index: a held-out example instead; -1 when not given
  std::string data;         // the data --index reads; empty: what the model was trained on
  int64_t generate = 0;     // models that generate: how many tokens after the input
  double temperature = 1.0;
  int64_t top_k = 0;
  uint64_t seed = 0;        // sampling seed
  std::string explain = "attention";  // attention, rollout or grad-attention (heed/train/explanation.hpp)
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string_view model() const = 0;
  virtual std::string config_json() const = 0;  // complete, as stored in a checkpoint

  // The training graph (with its loss, without attention outputs) at `batch`.
  virtual BuiltModel build_training(int64_t batch) const = 0;
  // The inference graph: no loss; a model that decodes step by step decodes greedily.
  virtual BuiltModel build_inference(int64_t batch, bool with_attention) const = 0;
  // The inference graph built to explain (BuildOptions::explain); a model without explanations
  // keeps this default, which says so.
  virtual BuiltModel build_explanation(int64_t batch) const;

  // The next training batch as feeds of `model`'s inputs; the values stay valid until the next call.
  virtual std::vector<Feed> next_batch(const BuiltModel& model) = 0;
  // Where the training stream is: samples drawn so far. seek() restores it exactly.
  virtual uint64_t position() const = 0;
  virtual void seek(uint64_t position) = 0;
  // Training samples in one epoch, where epochs mean something; 0 otherwise (--epochs is refused).
  virtual int64_t epoch_samples() { return 0; }

  // The held-out metric; `limit` > 0 uses only the first `limit` held-out examples.
  virtual Evaluation evaluate(Program& program, const BuiltModel& model, int64_t limit) = 0;
  // One input through the model: the output, notes for people, and the attention as maps.
  virtual Prediction predict(Program& program, const BuiltModel& model, const PredictRequest& request) = 0;
  // How much the predicted class's probability drops on the held-out set when the positions each
  // explanation method ranks highest are removed, against as many random ones. `program` and
  // `model` come from compile_explanation. The default says the model does not measure it.
  virtual Evaluation faithfulness(Program& program, const BuiltModel& model, int64_t limit);

  const TaskOptions& options() const { return options_; }

 protected:
  explicit Task(TaskOptions options) : options_(std::move(options)) {}
  TaskOptions options_;
};

}  // namespace heed::train
