#pragma once
// A task ties a reference model to its data: it builds the model's training and inference graphs,
// streams training batches from a position a checkpoint can restore, and measures the held-out
// metric. One implementation per model: dates_task.cpp, text_task.cpp, fashion_task.cpp.
#include <heed/backend.hpp>
#include <model.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace heed::trainer {

struct TaskOptions {
  std::string config_json;  // the model's configuration; empty: the reference one
  std::string data;         // --data; empty: the default data set
  uint64_t seed = 0;        // parameter initialisation and the training stream's order
};

struct Evaluation {
  std::string metric;    // the headline figure's key: exact_match, bits_per_byte or accuracy
  double value = 0;
  nlohmann::json values;  // every figure, the headline included
  std::string summary;    // one line for people
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string_view model() const = 0;
  virtual std::string config_json() const = 0;  // complete, as stored in a checkpoint

  // The training graph (with its loss, without attention outputs) at `batch`.
  virtual models::BuiltModel build_training(int64_t batch) const = 0;
  // The inference graph: no loss; seq2seq decodes greedily.
  virtual models::BuiltModel build_inference(int64_t batch, bool with_attention) const = 0;

  // The next training batch as feeds of `model`'s inputs; the values stay valid until the next call.
  virtual std::vector<Feed> next_batch(const models::BuiltModel& model) = 0;
  // Where the training stream is: samples drawn so far. seek() restores it exactly.
  virtual uint64_t position() const = 0;
  virtual void seek(uint64_t position) = 0;
  // Training samples in one epoch, where epochs mean something (Fashion-MNIST); 0 otherwise.
  virtual int64_t epoch_samples() { return 0; }

  // The held-out metric, run on an inference graph built by build_inference; `limit` > 0 uses
  // only the first `limit` held-out examples (for quick checks).
  virtual Evaluation evaluate(Program& program, const models::BuiltModel& model, int64_t limit) = 0;

  const TaskOptions& options() const { return options_; }

 protected:
  explicit Task(TaskOptions options) : options_(std::move(options)) {}
  TaskOptions options_;
};

// The task of `model` (seq2seq, charlm or vit); an unknown model lists the valid ones, a bad
// configuration names the key.
std::unique_ptr<Task> make_task(std::string_view model, TaskOptions options);

std::unique_ptr<Task> make_dates_task(TaskOptions options);
std::unique_ptr<Task> make_text_task(TaskOptions options);
std::unique_ptr<Task> make_fashion_task(TaskOptions options);

}  // namespace heed::trainer
