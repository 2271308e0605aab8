// heed-bench: times heed's ops and workloads; prints one JSON line per measurement, with the
// keys shared/bench/torch_peer.py uses where they overlap, so the two can be read side by side.
#include "op_benchmark.hpp"

#include <heed/error.hpp>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"heed-bench: times heed ops and workloads; one JSON line per measurement"};
  app.require_subcommand(1);

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

  CLI11_PARSE(app, argc, argv);
  try {
    if (op_command->parsed()) heed::bench::run_op_benchmark(op);
  } catch (const heed::Error& error) {
    fmt::print(stderr, "heed-bench: {}\n", error.what());
    return 1;
  }
  return 0;
}
