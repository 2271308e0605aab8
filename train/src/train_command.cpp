// `<program> train`: settings from flags (or from the run being resumed), the training loop with
// its schedule, evaluations, checkpoints, and the ways it can stop.
#include "commands.hpp"

#include <heed/error.hpp>
#include <heed/optim.hpp>
#include <heed/train/backend_choice.hpp>
#include <heed/train/inference.hpp>
#include <heed/train/job.hpp>
#include <heed/train/metrics_log.hpp>
#include <heed/train/progress.hpp>
#include <heed/train/registry.hpp>
#include <heed/train/run_checkpoint.hpp>
#include <heed/train/run_folder.hpp>
#include <heed/train/stop_signal.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

namespace heed::train {

namespace {

const std::filesystem::path runs_root = "runs";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A new run: each flag not given takes the model's default.
RunSettings settings_from_flags(const TrainOptions& flags, Task& task) {
  const ModelDefaults& defaults = find_model(flags.model).defaults;
  RunSettings settings;
  settings.model = flags.model;
  settings.config = task.config_json();
  settings.data = flags.data;
  settings.valid = flags.valid;
  settings.seed = flags.seed;
  settings.precision = flags.common.compile.precision;
  settings.batch = flags.batch > 0 ? flags.batch : defaults.batch;
  settings.lr = flags.lr > 0 ? flags.lr : defaults.lr;
  settings.schedule = parse_schedule(flags.schedule);
  int64_t epochs = flags.steps > 0 ? 0 : flags.epochs > 0 ? flags.epochs : defaults.epochs;
  if (epochs > 0) {
    int64_t samples = task.epoch_samples();
    if (samples == 0) fail("--epochs: {} has no epochs (its data is drawn at random); give --steps", flags.model);
    settings.steps = (epochs * samples + settings.batch - 1) / settings.batch;
  } else {
    settings.steps = flags.steps > 0 ? flags.steps : defaults.steps;
  }
  // A short run (a test, a quick look) gets a warm-up in proportion rather than the default's.
  settings.warmup = flags.warmup >= 0 ? flags.warmup : std::min(defaults.warmup, settings.steps / 10);
  settings.eval_every = flags.eval_every >= 0 ? flags.eval_every : defaults.eval_every;
  settings.eval_batch = flags.eval_batch > 0 ? flags.eval_batch : defaults.eval_batch;
  settings.eval_limit = flags.eval_limit;
  settings.save_every = flags.save_every;
  return settings;
}

// Flags that only change how a resumed run is watched override what the run started with.
void apply_watch_flags(const TrainOptions& flags, RunSettings& settings) {
  if (flags.given.contains("eval-every")) settings.eval_every = flags.eval_every;
  if (flags.given.contains("eval-batch")) settings.eval_batch = flags.eval_batch;
  if (flags.given.contains("eval-limit")) settings.eval_limit = flags.eval_limit;
  if (flags.given.contains("save-every")) settings.save_every = flags.save_every;
}

// A resumed run keeps the settings it started with; a flag that would change them is an error
// rather than a silent divergence from the uninterrupted run.
void check_resume_flags(const TrainOptions& flags, const RunSettings& stored, const std::filesystem::path& folder) {
  auto differs = [&](const char* flag, bool different, const std::string& kept) {
    if (flags.given.contains(flag) && different)
      fail("--{}: the run in {} was started with {} and a resumed run keeps its settings; leave out --{} or start a new run",
           flag, folder.string(), kept, flag);
  };
  if (flags.given.contains("model") && flags.model != stored.model)
    fail("--resume: {} holds a {} run, not {}", folder.string(), stored.model, flags.model);
  differs("data", flags.data != stored.data, stored.data.empty() ? "the default data" : stored.data);
  differs("valid", flags.valid != stored.valid, stored.valid.empty() ? "the task's own held-out split" : stored.valid);
  differs("steps", flags.steps != stored.steps, fmt::format("{} steps", stored.steps));
  differs("batch", flags.batch != stored.batch, fmt::format("batch {}", stored.batch));
  differs("lr", flags.lr != stored.lr, fmt::format("lr {}", stored.lr));
  differs("warmup", flags.warmup != stored.warmup, fmt::format("warm-up {}", stored.warmup));
  differs("schedule", flags.schedule != schedule_name(stored.schedule), schedule_name(stored.schedule));
  differs("seed", flags.seed != stored.seed, fmt::format("seed {}", stored.seed));
  differs("precision", flags.common.compile.precision != stored.precision, fmt::format("precision {}", precision_name(stored.precision)));
  differs("epochs", true, fmt::format("{} steps", stored.steps));
  differs("config", true, stored.config);
}

class Trainer {
 public:
  Trainer(const TrainOptions& flags, RunSettings settings, std::unique_ptr<Task> task, std::filesystem::path folder, Job job)
      : flags_(flags),
        settings_(std::move(settings)),
        task_(std::move(task)),
        folder_(std::move(folder)),
        job_(job),
        backend_(open_backend(flags.common.backend, flags.common.device)),
        model_(task_->build_training(settings_.batch / job.size())),
        optimizer_(*model_.graph, {.lr = settings_.lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01}) {
    loss_ = model_.loss;
    CompileOptions options = compile_options();
    if (job_.size() > 1) {
      if (!model_.loss_weight.valid())
        fail("{} gives no loss weight (BuiltModel::loss_weight), which training on {} ranks needs", settings_.model, job_.size());
      loss_ = optimizer_.minimize_across_ranks(model_.loss, model_.loss_weight).loss;
      options.communicator = job_.communicator();
    } else {
      optimizer_.minimize(model_.loss);
    }
    program_.emplace(backend_->compile(*model_.graph, options));
  }

  int run() {
    start_position();
    // Rank 0 alone writes the run folder and prints; the other ranks only train.
    std::optional<MetricsLog> metrics;
    std::optional<Progress> progress;
    if (job_.leads()) {
      std::filesystem::create_directories(folder_);
      metrics_ = &metrics.emplace(folder_ / metrics_file, position_.step);
      announce();
      progress_ = &progress.emplace(position_.step, settings_.steps, settings_.batch, flags_.log_every);
    }

    int64_t eval_every = settings_.eval_every;
    LearningRate schedule = settings_.learning_rate();
    auto start = std::chrono::steady_clock::now();
    int64_t session_steps = 0;
    while (position_.step < settings_.steps) {
      if (int signal = job_.agree_on_stop(stop_requested())) {
        if (progress) progress->finish();
        save();
        if (job_.leads())
          fmt::print(stderr, "{}: stopped by signal {} after step {}; the checkpoint is saved. Continue with:\n  {}\n",
                     flags_.common.program, signal, position_.step, resume_command());
        else
          fmt::print(stderr, "{}{}: stopped by signal {} after step {}\n", flags_.common.program, job_.where(), signal, position_.step);
        job_.barrier();
        return 128 + signal;
      }
      lr_ = schedule.at(position_.step + 1);
      optimizer_.set_learning_rate(*program_, lr_);
      std::vector<Feed> feeds = next_batch();
      auto step_start = std::chrono::steady_clock::now();
      program_->run(feeds);
      double loss = program_->read(loss_).item();  // the same on every rank
      double seconds = seconds_since(step_start);
      ++position_.step;
      position_.samples = job_.size() == 1 ? task_->position() : position_.samples + static_cast<uint64_t>(settings_.batch);
      if (!std::isfinite(loss)) {
        if (progress) progress->finish();
        if (job_.leads())
          fmt::print(stderr, "{}: step {}: the loss is {} (not finite); training stopped. The learning rate was {:.3g}: "
                     "try a lower --lr. {}\n", flags_.common.program, position_.step, loss, lr_, last_good_checkpoint());
        job_.barrier();
        return exit_not_finite;
      }
      if (progress) progress->step(position_.step, loss, lr_, seconds);
      position_.loss_sum += loss;
      ++position_.loss_count;
      ++session_steps;
      if (position_.step == settings_.steps) break;
      if (job_.leads() && eval_every > 0 && position_.step % eval_every == 0) evaluate(false);
      if (settings_.save_every > 0 && position_.step % settings_.save_every == 0) {
        save();
        if (progress) progress->message(fmt::format("step {}: checkpoint saved in {}", position_.step, folder_.string()));
      }
      if (flags_.stop_after > 0 && session_steps >= flags_.stop_after) {
        if (progress) progress->finish();
        save();
        if (job_.leads()) {
          fmt::print(stderr, "{}: stopped after {} steps as --stop-after asked (step {} of {}). Continue with:\n  {}\n",
                     flags_.common.program, session_steps, position_.step, settings_.steps, resume_command());
          report_profile(flags_.common, *program_);
        }
        return 0;
      }
    }
    if (!job_.leads()) return 0;
    progress->finish();
    double train_seconds = seconds_since(start);
    save();
    Evaluation final_evaluation = evaluate(true);
    fmt::print("{} after {} steps ({} in this session): {}\n", settings_.model, position_.step, format_duration(train_seconds),
               final_evaluation.summary);
    fmt::print("saved in {}/ ({}, {}, {})\n", folder_.string(), model_file, training_file, metrics_file);
    report_profile(flags_.common, *program_);
    return 0;
  }

 private:
  // Rank 0 reads the run folder and gives every rank what it read: the values and the position.
  // Then the ranks check that they build the same graph from the same settings and values.
  void start_position() {
    if (job_.leads()) {
      if (flags_.resume) {
        position_ = restore_run(folder_, *program_, *model_.graph, settings_);
        saved_step_ = position_.step;
      } else if (std::filesystem::exists(folder_ / training_file)) {
        fail("--out {}: it already holds a run; continue it with --resume, or choose another --out", folder_.string());
      }
    }
    if (job_.size() > 1) {
      std::string position = job_.share_text(fmt::format("{} {} {:.17g} {}", position_.step, position_.samples, position_.loss_sum,
                                                         position_.loss_count));
      if (std::sscanf(position.c_str(), "%ld %lu %lf %ld", &position_.step, &position_.samples, &position_.loss_sum, &position_.loss_count) != 4)
        fail("rank 0 sent a training position this rank cannot read: '{}'", position);
      job_.share_values(*program_, *model_.graph);
      job_.check_agreement(fingerprint(settings_json(settings_)) ^ fingerprint(*program_, *model_.graph),
                           "model, settings, graph or parameters");
    }
    if (flags_.resume) task_->seek(position_.samples);
  }

  // This rank's share of the next batch: rank r takes the samples after r shares of it, so that
  // the ranks' shares together are the batch one process would draw.
  std::vector<Feed> next_batch() {
    if (job_.size() == 1) return task_->next_batch(model_);
    uint64_t share = static_cast<uint64_t>(settings_.batch / job_.size());
    task_->seek(position_.samples + share * static_cast<uint64_t>(job_.rank()));
    return task_->next_batch(model_);
  }

  // The flags' options in the run's precision, which a resumed run keeps.
  CompileOptions compile_options() const {
    CompileOptions options = flags_.common.compile;
    options.precision = settings_.precision;
    return options;
  }

  void announce() const {
    fmt::print(stderr, "{}: {} {} ({}) on {} [{}]{}\n", flags_.common.program, position_.step > 0 ? "resuming" : "training", settings_.model,
               find_model(settings_.model).task, backend_->name(), backend_->device(),
               job_.size() > 1 ? fmt::format(", {} ranks of batch {} each", job_.size(), settings_.batch / job_.size()) : "");
    fmt::print(stderr, "  {} steps of batch {} from step {}, peak lr {:.3g} ({} warm-up steps, {}), seed {}, {}; run folder {}\n",
               settings_.steps, settings_.batch, position_.step, settings_.lr, settings_.warmup, schedule_name(settings_.schedule),
               settings_.seed, settings_.precision == Precision::f32 ? "f32" : "bf16 products", folder_.string());
  }

  std::string resume_command() const { return fmt::format("{} train --resume --out {}", flags_.common.program, folder_.string()); }

  std::string last_good_checkpoint() const {
    if (saved_step_ < 0) return "No checkpoint had been saved yet.";
    return fmt::format("The last good checkpoint (step {}) is kept in {}.", saved_step_, folder_.string());
  }

  void save() {
    if (!job_.leads()) return;
    save_run(folder_, *program_, *model_.graph, settings_, position_);
    saved_step_ = position_.step;
  }

  Evaluation evaluate(bool final) {
    // Compiled once, on the training program's parameters: every evaluation sees the latest.
    if (!eval_) eval_.emplace(compile_inference(*task_, *backend_, compile_options(), settings_.eval_batch, false, &*program_));
    auto start = std::chrono::steady_clock::now();
    Evaluation evaluation = task_->evaluate(eval_->program, eval_->model, settings_.eval_limit);
    nlohmann::json record = {{"step", position_.step}};
    if (int64_t samples = task_->epoch_samples(); samples > 0)
      record["epoch"] = static_cast<double>(position_.samples) / static_cast<double>(samples);
    if (position_.loss_count > 0) record["train_loss"] = position_.loss_sum / static_cast<double>(position_.loss_count);
    record["lr"] = lr_;
    record.update(evaluation.values);
    record["eval_s"] = seconds_since(start);
    record["final"] = final;
    metrics_->append(record);
    progress_->message(fmt::format("step {}: {}", position_.step, evaluation.summary));
    position_.loss_sum = 0;
    position_.loss_count = 0;
    return evaluation;
  }

  const TrainOptions& flags_;
  RunSettings settings_;
  std::unique_ptr<Task> task_;
  std::filesystem::path folder_;
  Job job_;
  std::shared_ptr<Backend> backend_;
  BuiltModel model_;
  optim::AdamW optimizer_;
  Tensor loss_;  // the loss the step reports: its mean over the ranks when there are several
  std::optional<Program> program_;
  std::optional<InferenceModel> eval_;
  TrainingPosition position_;
  int64_t saved_step_ = -1;
  double lr_ = 0;
  MetricsLog* metrics_ = nullptr;
  Progress* progress_ = nullptr;
};

}  // namespace

namespace {

int train_as(const TrainOptions& flags, const Job& job) {
  std::filesystem::path folder;
  RunSettings settings;
  std::unique_ptr<Task> task;
  if (flags.resume) {
    // Rank 0 alone reads the run folder: the ranks need no shared file system.
    if (job.leads()) {
      folder = flags.out.empty() ? latest_run_folder(runs_root, flags.given.contains("model") ? flags.model : "")
                                 : std::filesystem::path(flags.out);
      settings = read_run_settings(folder);
    }
    if (job.size() > 1) {
      folder = job.share_text(folder.string());
      settings = parse_settings(job.share_text(settings_json(settings)), "the settings rank 0 read from " + folder.string());
    }
    check_resume_flags(flags, settings, folder);
    apply_watch_flags(flags, settings);
    task = make_task(settings.model, {.config_json = settings.config, .data = settings.data, .held_out = settings.valid,
                                      .seed = settings.seed});
  } else {
    if (flags.steps < 0 || flags.epochs < 0 || flags.batch < 0 || flags.lr < 0)
      fail("--steps, --epochs, --batch and --lr must be positive");
    if (!flags.valid.empty() && find_model(flags.model).valid_help.empty())
      fail("--valid: {} takes its held-out examples from its own data and reads no --valid", flags.model);
    task = make_task(flags.model, {.config_json = flags.config, .data = flags.data, .held_out = flags.valid, .seed = flags.seed});
    settings = settings_from_flags(flags, *task);
    if (job.leads()) folder = flags.out.empty() ? new_run_folder(runs_root, flags.model) : std::filesystem::path(flags.out);
    folder = job.share_text(folder.string());
  }
  if (settings.batch % job.size() != 0)
    fail("--batch {}: it is the batch of all {} ranks together, which must share it evenly; give a multiple of {}", settings.batch, job.size(),
         job.size());
  Trainer trainer(flags, std::move(settings), std::move(task), folder, job);
  return trainer.run();
}

}  // namespace

int run_train(const TrainOptions& flags) {
  install_stop_handlers();
  Job job = Job::detect();
  try {
    return train_as(flags, job);
  } catch (const std::exception& error) {
    // Another rank may be waiting for this one in a collective: end the job on every rank.
    job.abort(fmt::format("{}: {}", flags.common.program, error.what()));
    throw;
  }
}

}  // namespace heed::train
