#include <heed/train/command_line.hpp>

#include "commands.hpp"

#include <heed/error.hpp>
#include <heed/train/backend_choice.hpp>
#include <heed/train/registry.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdlib>

namespace heed::train {

namespace {

// A validator whose message names the valid values, so the error says what to type instead.
CLI::Validator one_of(std::vector<std::string> names, std::string what) {
  std::string listed;
  for (const std::string& name : names) listed += (listed.empty() ? "" : ", ") + name;
  return CLI::Validator(
      [names, what, listed](std::string& value) -> std::string {
        for (const std::string& name : names)
          if (value == name) return {};
        return fmt::format("unknown {} '{}'; the {}s are {}", what, value, what, listed);
      },
      "{" + listed + "}");
}

std::vector<std::string> model_list() {
  std::vector<std::string> names;
  for (const ModelRegistration* model : registered_models()) names.push_back(model->name);
  return names;
}

// "seq2seq 1500, charlm 1000, vit 5 epochs": a per-model default for --help.
template <typename Field>
std::string per_model(Field field) {
  std::string text;
  for (const ModelRegistration* model : registered_models())
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", model->name, field(*model));
  return text;
}

// "seq2seq: a date as text; charlm: a prompt": one help text of each model.
std::string each_model(std::string ModelRegistration::*text) {
  std::string joined;
  for (const ModelRegistration* model : registered_models())
    if (!(model->*text).empty()) joined += fmt::format("{}{}: {}", joined.empty() ? "" : "; ", model->name, model->*text);
  return joined.empty() ? "no model takes it" : joined;
}

std::string default_model() {
  std::vector<std::string> names = model_list();
  return names.empty() ? std::string() : names.front();
}

// A switch set in the environment: any value but empty or "0".
bool environment_says(const char* name) {
  const char* value = std::getenv(name);
  return value && *value && std::string_view(value) != "0";
}

void add_common(CLI::App& command, CommonOptions& common) {
  command.add_option("--backend", common.backend, "where to run (default: cpu)")->check(one_of({"cpu", "vulkan"}, "backend"));
  command.add_option("--device", common.device, fmt::format("the backend's device number (default: the backend's choice; see `{} backends`)", common.program))
      ->check(CLI::NonNegativeNumber);
  command.add_option("--threads", common.compile.threads, "CPU threads (default: $HEED_THREADS, else every core)")->check(CLI::NonNegativeNumber);
  common.compile.fusion = !environment_says("HEED_NO_FUSION");
  common.compile.profile = environment_says("HEED_PROFILE");
  command.add_option_function<std::string>("--precision", [&common](const std::string& text) { common.compile.precision = parse_precision(text); },
                                           "f32, or bf16: products on bf16 copies of their operands with f32 sums, all else f32 "
                                           "(cpu with AVX-512 BF16 or AMX; a resumed run keeps its own) (default: f32)")
      ->check(one_of({"f32", "bf16"}, "precision"));
  command.add_flag_callback("--no-fusion", [&common] { common.compile.fusion = false; },
                   "run every node as its own kernel, the reference, to tell a fusion bug from a kernel bug (default: fused, unless HEED_NO_FUSION=1)");
  command.add_flag("--profile", common.compile.profile,
                   "time every kernel (cpu); the time per kind of kernel and the slowest kernels go to stderr at the end (default: off, unless HEED_PROFILE=1)");
}

void add_train(CLI::App& app, TrainOptions& o) {
  CLI::App& train = *app.add_subcommand("train", "train a model; checkpoints and metrics go to a run folder");
  train.add_option("--model", o.model, fmt::format("the model (default: {}): {}", default_model(), per_model([](const ModelRegistration& model) {
                                                     return fmt::format("({})", model.task);
                                                   })))
      ->check(one_of(model_list(), "model"));
  train.add_option("--data", o.data, "the data (default: the model's own; " + each_model(&ModelRegistration::data_help) + ")");
  train.add_option("--valid", o.valid, "held-out examples to evaluate on (default: the model's own split of its data; " +
                                           each_model(&ModelRegistration::valid_help) + ")");
  add_common(train, o.common);
  auto* steps = train.add_option("--steps", o.steps, "training steps (default: " + per_model([](const ModelRegistration& model) {
                                   return model.defaults.steps > 0 ? std::to_string(model.defaults.steps) : fmt::format("{} epochs", model.defaults.epochs);
                                 }) + ")");
  train.add_option("--epochs", o.epochs, "passes over the training set instead of --steps, for models whose data has epochs (default: " +
                                             per_model([](const ModelRegistration& model) {
                                               return model.defaults.epochs > 0 ? std::to_string(model.defaults.epochs) : std::string("none");
                                             }) + ")")
      ->excludes(steps);
  train.add_option("--batch", o.batch, "examples a step (default: " + per_model([](const ModelRegistration& model) { return std::to_string(model.defaults.batch); }) + ")")
      ->check(CLI::PositiveNumber);
  train.add_option("--lr", o.lr, "peak learning rate of AdamW (default: " + per_model([](const ModelRegistration& model) { return fmt::format("{:g}", model.defaults.lr); }) + ")")
      ->check(CLI::PositiveNumber);
  train.add_option("--warmup", o.warmup,
                   "steps of linear learning-rate warm-up (default: " + per_model([](const ModelRegistration& model) { return std::to_string(model.defaults.warmup); }) +
                       ", at most a tenth of --steps)")
      ->check(CLI::NonNegativeNumber);
  train.add_option("--schedule", o.schedule, "after warm-up: cosine decay to a tenth, or constant (default: cosine)")
      ->check(one_of({"cosine", "constant"}, "schedule"));
  train.add_option("--seed", o.seed, "initialisation and data order (default: 0)");
  train.add_option("--config", o.config, "model configuration overrides as JSON, e.g. '{\"width\": 32}' (default: the model's reference configuration)");
  train.add_option("--out", o.out, "the run folder (default: runs/<model>-<YYYYmmdd-HHMMSS>)");
  train.add_flag("--resume", o.resume, "continue the run in --out with its settings; only the watching flags (--eval-*, --save-every, --log-every, --stop-after, --backend, --threads) may change (default: off; without --out, the newest run in runs/)");
  train.add_option("--eval-every", o.eval_every, "evaluate every N steps, 0 only at the end (default: " +
                                                     per_model([](const ModelRegistration& model) { return std::to_string(model.defaults.eval_every); }) + ")")
      ->check(CLI::NonNegativeNumber);
  train.add_option("--eval-batch", o.eval_batch, "batch of the evaluation graph (default: " +
                                                     per_model([](const ModelRegistration& model) { return std::to_string(model.defaults.eval_batch); }) + ")")
      ->check(CLI::PositiveNumber);
  train.add_option("--eval-limit", o.eval_limit, "evaluate on the first N held-out examples only (default: 0, all of them)")
      ->check(CLI::NonNegativeNumber);
  train.add_option("--save-every", o.save_every, "save a checkpoint every N steps, 0 only at the end (default: 500)")
      ->check(CLI::NonNegativeNumber);
  train.add_option("--stop-after", o.stop_after, "save and stop after N steps of this session, to --resume later (default: 0, never)")
      ->check(CLI::NonNegativeNumber);
  train.add_option("--log-every", o.log_every, "when not on a terminal, a progress line every N steps (default: 100)")
      ->check(CLI::PositiveNumber);
}

void add_eval(CLI::App& app, EvalOptions& o) {
  CLI::App& eval = *app.add_subcommand("eval", "the held-out metric of a saved model");
  eval.add_option("--checkpoint", o.checkpoint, "a run folder or a model .safetensors file (required: no default)")->required();
  eval.add_flag("--json", o.json, "print one JSON object (default: a line of text)");
  eval.add_option("--data", o.data, "what to measure: for models that take --valid, every example of it; for the others their held-out part of this data (default: the held-out examples of what the model was trained on)");
  eval.add_option("--model", o.model, "the model, for a checkpoint whose metadata does not say (default: its metadata)")
      ->check(one_of(model_list(), "model"));
  eval.add_option("--batch", o.batch, "batch of the evaluation graph (default: " +
                                          per_model([](const ModelRegistration& model) { return std::to_string(model.defaults.eval_batch); }) + ")")
      ->check(CLI::PositiveNumber);
  eval.add_flag("--faithfulness", o.faithfulness,
                "instead of the metric: how much the predicted class's probability drops when the positions each explanation "
                "method (attention, rollout, grad-attention) ranks highest are removed, against as many random ones (default: off)");
  eval.add_option("--limit", o.limit, "only the first N held-out examples (default: 0, all of them)")->check(CLI::NonNegativeNumber);
  add_common(eval, o.common);
}

void add_predict(CLI::App& app, PredictOptions& o) {
  CLI::App& predict = *app.add_subcommand("predict", "one input through a saved model: its output and its attention");
  predict.add_option("--checkpoint", o.checkpoint, "a run folder or a model .safetensors file (required: no default)")->required();
  auto* input = predict.add_option("--input", o.request.input, each_model(&ModelRegistration::input_help) + " (default: --index 0)");
  predict.add_option("--index", o.request.index, "the N-th held-out example instead (default: 0)")
      ->check(CLI::NonNegativeNumber)
      ->excludes(input);
  predict.add_flag("--json", o.json, "print {\"output\", \"attention\", \"source\", \"target\", ...} as JSON (default: text and a heat map)");
  predict.add_option("--explain", o.request.explain,
                     "what the map shows: attention (the model's own), rollout (attention rolled out through the Transformer's "
                     "layers) or grad-attention (attention weighted by its gradient with respect to the predicted class) "
                     "(default: attention)")
      ->check(one_of({"attention", "rollout", "grad-attention"}, "explanation method"));
  predict.add_option("--png", o.png, "also draw the attention as a labelled PNG picture into this file (default: none)");
  predict.add_option("--generate", o.request.generate, "a model that generates text (charlm): N bytes after the prompt (default: 0, show the next byte's odds)")
      ->check(CLI::NonNegativeNumber);
  predict.add_option("--temperature", o.request.temperature, "generating: sampling temperature, 0 for the most likely byte (default: 1)")
      ->check(CLI::NonNegativeNumber);
  predict.add_option("--top-k", o.request.top_k, "generating: sample among the K most likely bytes, 0 for all (default: 0)")->check(CLI::NonNegativeNumber);
  predict.add_option("--seed", o.request.seed, "generating: the sampling seed (default: 0)");
  predict.add_option("--data", o.request.data, "the data --index reads (default: what the model was trained on)");
  predict.add_option("--model", o.model, "the model, for a checkpoint whose metadata does not say (default: its metadata)")
      ->check(one_of(model_list(), "model"));
  add_common(predict, o.common);
}

// Flags CLI11 did not recognise (allow_extras keeps them): one error that lists the valid flags.
std::string unknown_arguments(const std::string& program, const CLI::App& command) {
  std::vector<std::string> extras = command.remaining();
  if (extras.empty()) return {};
  std::string flags;
  for (const CLI::Option* option : command.get_options())
    if (!option->get_single_name().empty() && option->get_single_name() != "help")
      flags += (flags.empty() ? "--" : ", --") + option->get_single_name();
  std::string name = command.get_name();
  const std::string& first = extras.front();
  if (first.starts_with("-"))
    return fmt::format("{} {}: unknown flag {}; its flags are {} ({} {} --help explains them)", program, name, first, flags, program, name);
  return fmt::format("{} {}: unexpected argument '{}'; flags take the form --name value; its flags are {}", program, name, first, flags);
}

// The program's name as the user typed it, for messages and --help.
std::string program_name(int argc, char** argv) {
  if (argc < 1 || !argv[0] || !*argv[0]) return "heed-train";
  std::string path = argv[0];
  return path.substr(path.find_last_of('/') + 1);
}

int parse_and_run(const std::string& program, int argc, char** argv) {
  if (registered_models().empty()) fail("no model is registered; register one with heed::train::register_model before run_command_line");
  CLI::App app{fmt::format("{}: trains and inspects attention models with heed: {}", program, model_names()), program};
  app.require_subcommand(0, 1);
  app.allow_extras();
  app.footer(fmt::format("Start with `{} train`: it trains {} ({}).", program, default_model(), find_model(default_model()).task));
  TrainOptions train_options;
  train_options.model = default_model();
  EvalOptions eval_options;
  PredictOptions predict_options;
  for (CommonOptions* common : {&train_options.common, &eval_options.common, &predict_options.common}) common->program = program;
  add_train(app, train_options);
  add_eval(app, eval_options);
  add_predict(app, predict_options);
  app.add_subcommand("backends", "the backend modules: which loaded (or why not) and their devices");
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) command->allow_extras();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    CLI::App* failed = nullptr;
    for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
      if (command->parsed()) failed = command;
    fmt::print(stderr, "{}{}: {}\n", program, failed ? " " + failed->get_name() : "", error.what());
    fmt::print(stderr, "see {}{} --help\n", program, failed ? " " + failed->get_name() : "");
    return exit_usage;
  }

  if (!app.remaining().empty() && app.get_subcommands().empty()) {
    fmt::print(stderr, "{}: unknown command '{}'; the commands are train, eval, predict, backends\n", program, app.remaining().front());
    return exit_usage;
  }
  if (app.get_subcommands().empty()) {
    fmt::print(stderr, "{}", app.help());
    return exit_usage;
  }
  CLI::App* command = app.get_subcommands().front();
  if (std::string message = unknown_arguments(program, *command); !message.empty()) {
    fmt::print(stderr, "{}\n", message);
    return exit_usage;
  }
  std::string name = command->get_name();
  if (name == "train") {
    for (const CLI::Option* option : command->get_options())
      if (option->count() > 0) train_options.given.insert(option->get_single_name());
    return run_train(train_options);
  }
  if (name == "eval") return run_eval(eval_options);
  if (name == "predict") return run_predict(predict_options);
  return run_backends(program);
}

}  // namespace

void report_profile(const CommonOptions& options, const Program& program) {
  if (options.compile.profile) fmt::print(stderr, "{}: {}", options.program, profile_report(program.profile()));
}

int run_command_line(int argc, char** argv) {
  // The CPU backend runs on OpenMP (libgomp, read when the module loads). Its idle workers spin
  // by default; on a machine where other processes want the same cores, that made training
  // steps 10x slower here (2 threads: 19 samples/s spinning, 180 passive, at a load of 9 on 2
  // cores). Sleeping workers cost little when the machine is idle. A user's setting wins.
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  std::string program = program_name(argc, argv);
  try {
    return parse_and_run(program, argc, argv);
  } catch (const heed::Error& error) {
    fmt::print(stderr, "{}: {}\n", program, error.what());
  } catch (const std::exception& error) {
    fmt::print(stderr, "{}: unexpected error: {}\n", program, error.what());
  }
  return 1;
}

}  // namespace heed::train
