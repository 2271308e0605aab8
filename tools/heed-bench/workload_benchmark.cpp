#include "workload_benchmark.hpp"

#include <charlm/charlm.hpp>
#include <seq2seq/seq2seq.hpp>
#include <vit/vit.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>

#include <sys/resource.h>

namespace heed::bench {

namespace {

// The most resident memory this process has held so far (Linux reports kilobytes).
int64_t peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

int64_t benchmark_batch(const std::string& workload) { return workload == "seq2seq" ? 64 : workload == "charlm" ? 32 : 128; }

models::BuiltModel build(const std::string& workload, const models::BuildOptions& options, int64_t context) {
  if (context > 0 && workload != "charlm") fail("--context applies to charlm only, not {}", workload);
  if (workload == "seq2seq") return models::build_seq2seq({}, options);
  if (workload == "charlm") {
    models::CharLMConfig config;
    if (context > 0) config.context = context;  // the positional embedding has one row per position
    return models::build_charlm(config, options);
  }
  if (workload == "vit") return models::build_vit({}, options);
  fail("unknown workload '{}'; choose seq2seq, charlm, vit or all", workload);
}

// A batch of valid values for every input (the benchmark times compute, not data loading, as
// torch_peer.py makes its batch once before timing).
std::vector<HostTensor> synthetic_batch(const models::BuiltModel& model, std::mt19937& random) {
  std::vector<HostTensor> values;
  for (const auto& [name, tensor] : model.inputs) {
    HostTensor value(tensor.dtype(), tensor.shape());
    if (name == "source" || name == "source_mask") {
      int64_t rows = tensor.dim(0), columns = tensor.dim(1);
      for (int64_t r = 0; r < rows; ++r) {
        int64_t length = 8 + static_cast<int64_t>(random() % 22);
        for (int64_t c = 0; c < columns; ++c) {
          auto at = static_cast<size_t>(r * columns + c);
          if (name == "source") value.i32()[at] = c < length ? 1 + static_cast<int32_t>(random() % 41) : 0;
          else value.f32()[at] = c < length ? 1.0f : 0.0f;
        }
      }
    } else if (tensor.dtype() == i32) {
      int32_t classes = name == "labels" ? 10 : name.starts_with("target_") ? 16 : 256;
      for (int32_t& index : value.i32()) index = static_cast<int32_t>(random() % static_cast<uint32_t>(classes));
    } else {
      std::normal_distribution<float> normal;
      for (float& x : value.f32()) x = normal(random);
    }
    values.push_back(std::move(value));
  }
  return values;
}

void time_workload(const std::string& workload, const WorkloadOptions& options, Backend& backend) {
  bool train = options.mode == "train";
  int64_t batch = options.batch > 0 ? options.batch : train ? benchmark_batch(workload) : 1;
  models::BuiltModel model =
      build(workload, {.batch = batch, .training = train, .greedy = false, .with_attention = false, .seed = 0}, options.context);
  if (train) optim::AdamW(*model.graph, {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01}).minimize(model.loss);
  int threads = resolve_threads(options.threads);
  auto compile_start = std::chrono::steady_clock::now();
  Program program = backend.compile(*model.graph, {.threads = threads});
  double compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start).count();

  std::mt19937 random(0);
  std::vector<HostTensor> values = synthetic_batch(model, random);
  std::vector<Feed> feeds;
  size_t i = 0;
  for (const auto& [name, tensor] : model.inputs) feeds.push_back({tensor, values[i++]});

  for (int w = 0; w < options.warmup; ++w) program.run(feeds);
  std::vector<double> times;
  for (int s = 0; s < options.steps; ++s) {
    auto start = std::chrono::steady_clock::now();
    program.run(feeds);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  int64_t flops = models::forward_matmul_flops(workload, batch, options.context) * (train ? 3 : 1);
  std::string loss = train ? fmt::format("{:.6g}", program.read(model.loss).item()) : "null";
  fmt::print(
      "{{\"workload\": \"{}\", \"impl\": \"heed-{}\", \"mode\": \"{}\", \"threads\": {}, \"batch\": {}, \"steps\": {}, "
      "\"ms_per_step_median\": {:.3f}, \"ms_per_step_min\": {:.3f}, \"samples_per_s\": {:.2f}, \"flops_per_step\": {}, "
      "\"gflops\": {:.2f}, \"planned_peak_bytes\": {}, \"persistent_bytes\": {}, \"peak_rss_bytes\": {}, \"compile_ms\": {:.1f}, \"last_loss\": {}, "
      "\"device\": \"{}\", \"omp_wait_policy\": \"{}\", \"gomp_spincount\": \"{}\"}}\n",
      workload, backend.name(), options.mode, threads, batch, options.steps, median, times.front(), batch * 1e3 / median, flops,
      static_cast<double>(flops) / median / 1e6, program.plan().arena_bytes, program.plan().persistent_bytes, peak_resident_bytes(), compile_ms, loss,
      backend.device(), environment("OMP_WAIT_POLICY"), environment("GOMP_SPINCOUNT"));
  std::fflush(stdout);
}

}  // namespace

void run_workload_benchmark(const WorkloadOptions& options) {
  if (options.mode != "train" && options.mode != "infer") fail("unknown mode '{}'; choose train or infer", options.mode);
  if (options.steps <= 0 || options.warmup < 0) fail("--steps must be positive and --warmup not negative, got {} and {}", options.steps, options.warmup);
  std::vector<std::string> workloads = options.workload == "all" ? std::vector<std::string>{"seq2seq", "charlm", "vit"}
                                                                 : std::vector<std::string>{options.workload};
  auto backend = load_backend(options.backend);
  for (const std::string& workload : workloads) time_workload(workload, options, *backend);
}

}  // namespace heed::bench
