// heed-bench: times heed's ops and workloads; prints one JSON line per measurement, with the
// keys shared/bench/torch_peer.py uses where they overlap, so the two can be read side by side.
#include "op_benchmark.hpp"
#include "workload_benchmark.hpp"

#include <heed/models/reference_models.hpp>

#include <heed/error.hpp>

#include <CLI/CLI.hpp>

#include <cstdlib>

namespace {

// A switch set in the environment: any value but empty or "0".
bool environment_says(const char* name) {
  const char* value = std::getenv(name);
  return value && *value && std::string_view(value) != "0";
}

}  // namespace

int main(int argc, char** argv) {
  // OpenMP workers wait for the next parallel region by spinning for about 1 ms (libgomp counts
  // 100000 spins per ms), then sleep, unless the environment sets either variable. A training
  // step is hundreds of kernels a few microseconds apart: sleeping workers (PASSIVE) cost a
  // wake-up per kernel, 52 against 81 ms per seq2seq step here, 180 against 231 for charlm.
  // Spinning for ever (ACTIVE) was no faster on a quiet machine and 3-4x slower while other
  // processes shared the cores; on a busy machine set OMP_WAIT_POLICY=PASSIVE. Set before the CPU
  // backend loads, as libgomp reads both once.
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) ::setenv("GOMP_SPINCOUNT", "100000", 1);
  CLI::App app{"heed-bench: times heed ops and workloads; one JSON line per measurement"};
  app.require_subcommand(1);
  app.footer(
      "Environment: OpenMP workers spin about 1 ms before they sleep (GOMP_SPINCOUNT=100000) unless\n"
      "OMP_WAIT_POLICY or GOMP_SPINCOUNT is set; on a machine other processes keep busy, set\n"
      "OMP_WAIT_POLICY=PASSIVE. LP_NUM_THREADS sets lavapipe's threads for --backend vulkan.\n"
      "HEED_NO_FUSION=1 and HEED_PROFILE=1 are --no-fusion and --profile.");

  heed::bench::OpOptions op;
  CLI::App* op_command = app.add_subcommand("op", "time one op on one backend");
  op_command->add_option("name", op.op, "the op to time (matmul)")->capture_default_str();
  op_command->add_option("--m", op.m, "rows of the result")->capture_default_str();
  op_command->add_option("--n", op.n, "columns of the result")->capture_default_str();
  op_command->add_option("--k", op.k, "the inner dimension")->capture_default_str();
  op_command->add_option("--batch", op.batch, "independent products in one batched matmul")->capture_default_str();
  op_command->add_option("--backend", op.backend, "cpu or vulkan (default: $HEED_BACKEND, else cpu)");
  op_command->add_option("--threads", op.threads, "CPU threads (default: $HEED_THREADS, else every core)");
  op_command->add_option("--warmup", op.warmup, "untimed runs first")->capture_default_str();
  op_command->add_option("--samples", op.samples, "timed samples; the median is reported")->capture_default_str();

  heed::models::register_reference_models();
  std::vector<std::string> workloads{"all"};
  std::string workload_list;
  for (const heed::train::ModelRegistration* model : heed::train::registered_models()) {
    workloads.push_back(model->name);
    workload_list += model->name + ", ";
  }
  heed::bench::WorkloadOptions train, infer;
  infer.mode = "infer";
  for (heed::bench::WorkloadOptions* options : {&train, &infer}) {
    options->fusion = !environment_says("HEED_NO_FUSION");
    options->profile = environment_says("HEED_PROFILE");
  }
  CLI::App* train_command = app.add_subcommand("train", "time the full training step (forward, loss, backward, AdamW) of a reference model");
  CLI::App* infer_command = app.add_subcommand("infer", "time the forward pass of a reference model (batch 1 unless --batch)");
  for (auto [command, options] : {std::pair{train_command, &train}, std::pair{infer_command, &infer}}) {
    command->add_option("--workload", options->workload, "a registered model: " + workload_list + "or all")
        ->check(CLI::IsMember(workloads))
        ->capture_default_str();
    command->add_option("--backend", options->backend, "cpu or vulkan (default: $HEED_BACKEND, else cpu)");
    command->add_option("--threads", options->threads, "CPU threads (default: $HEED_THREADS, else every core)");
    command->add_option("--steps", options->steps, "timed steps; the median and the minimum are reported")->capture_default_str();
    command->add_option("--warmup", options->warmup, "untimed steps first")->capture_default_str();
    command->add_option("--batch", options->batch, "batch size (default: the model's registered training batch, MODELS.md's benchmark batch, for train; 1 for infer)");
    command->add_option("--context", options->context, "the model's \"context\" configuration: charlm's sequence length, its positional table sized to it (default: 128)")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
    command->add_option_function<std::string>("--precision", [options = options](const std::string& text) { options->precision = heed::parse_precision(text); },
                                              "f32, or bf16: products on bf16 copies of their operands with f32 sums (default: f32)")
        ->check(CLI::IsMember({"f32", "bf16"}));
    command->add_flag_callback("--no-fusion", [options = options] { options->fusion = false; }, "run every node as its own kernel (the reference), to tell a fusion bug from a kernel bug");
    command->add_flag("--profile", options->profile, "time every kernel; the time per kind of kernel and the slowest kernels go to stderr (cpu)");
  }

  CLI11_PARSE(app, argc, argv);
  try {
    if (op_command->parsed()) heed::bench::run_op_benchmark(op);
    if (train_command->parsed()) heed::bench::run_workload_benchmark(train);
    if (infer_command->parsed()) heed::bench::run_workload_benchmark(infer);
  } catch (const heed::Error& error) {
    fmt::print(stderr, "heed-bench: {}\n", error.what());
    return 1;
  }
  return 0;
}
