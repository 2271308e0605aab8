#include "workload_benchmark.hpp"

#include <heed/heed.hpp>
#include <heed/train/job.hpp>
#include <heed/train/registry.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <sys/resource.h>

namespace heed::bench {

using train::BuiltModel;

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

// The registered model's configuration for --context: its "context" key (charlm's sequence length
// and positional table); a model without one says so when it parses the configuration.
std::string configuration(const WorkloadOptions& options) {
  return options.context > 0 ? fmt::format("{{\"context\": {}}}", options.context) : std::string();
}

// One batch of the model's own data for every input (the benchmark times compute, not data
// loading, as torch_peer.py makes its batch once before timing).
struct Batch {
  std::vector<HostTensor> values;
  std::vector<Feed> feeds;
};

// A rank of a job takes its share of the batch: the samples after `first_sample`.
Batch one_batch(const train::ModelRegistration& registration, const std::string& config, const BuiltModel& model, uint64_t first_sample) {
  std::unique_ptr<train::Task> task = registration.make_task({.config_json = config, .data = {}, .seed = 0});
  task->seek(first_sample);
  std::vector<Feed> feeds = task->next_batch(model);
  Batch batch;
  batch.values.reserve(feeds.size());  // the feeds point into these values: no reallocation
  // The task's buffers die with it: keep copies.
  for (const Feed& feed : feeds) {
    HostTensor& copy = batch.values.emplace_back(feed.tensor.dtype(), feed.tensor.shape());
    std::memcpy(copy.data(), feed.values.data, static_cast<size_t>(feed.values.size * dtype_size(feed.values.dtype)));
    batch.feeds.push_back({feed.tensor, copy});
  }
  return batch;
}

// The time per step of the kernels whose name starts with `prefix`, from a program's profile.
double milliseconds_per_step(const KernelProfile& profile, std::string_view prefix) {
  double seconds = 0;
  for (const KernelTime& kernel : profile.kernels)
    if (kernel.name.starts_with(prefix)) seconds += kernel.seconds;
  return profile.runs > 0 ? seconds * 1e3 / static_cast<double>(profile.runs) : 0;
}

// Under mpirun (a train job of several ranks), each rank runs its share of --batch and rank 0
// prints the figures of the whole step, with the time its all-reduce took.
void time_workload(const train::ModelRegistration& registration, const WorkloadOptions& options, Backend& backend, const train::Job& job) {
  const std::string& workload = registration.name;
  bool train = options.mode == "train";
  int64_t batch = options.batch > 0 ? options.batch : train ? registration.defaults.batch : 1;
  if (batch % job.size() != 0) fail("--batch {}: the {} ranks of this job cannot share it evenly", batch, job.size());
  std::string config = configuration(options);
  BuiltModel model = registration.build(config, {.batch = batch / job.size(), .training = train, .greedy = false, .with_attention = false, .seed = 0});
  Tensor loss_value = model.loss;
  if (train) {
    optim::AdamW optimizer(*model.graph, {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01});
    if (job.size() > 1)
      loss_value = optimizer.minimize_across_ranks(model.loss, model.loss_weight).loss;
    else
      optimizer.minimize(model.loss);
  }
  int threads = resolve_threads(options.threads);
  auto compile_start = std::chrono::steady_clock::now();
  // Several ranks are always profiled: the all-reduce's share of the step is one of the figures.
  bool profile = options.profile || job.size() > 1;
  Program program = backend.compile(*model.graph, {.threads = threads, .fusion = options.fusion, .profile = profile,
                                                   .communicator = job.communicator(), .precision = options.precision});
  double compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start).count();

  Batch batch_values = one_batch(registration, config, model, static_cast<uint64_t>(batch / job.size() * job.rank()));
  const std::vector<Feed>& feeds = batch_values.feeds;

  for (int w = 0; w < options.warmup; ++w) program.run(feeds);
  std::vector<double> times;
  for (int s = 0; s < options.steps; ++s) {
    auto start = std::chrono::steady_clock::now();
    program.run(feeds);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  int64_t flops = registration.forward_matmul_flops ? registration.forward_matmul_flops(config, batch) * (train ? 3 : 1) : 0;
  std::string loss = train ? fmt::format("{:.6g}", program.read(loss_value).item()) : "null";
  // null where the backend does not time kernels (Vulkan) or there is no all-reduce.
  KernelProfile kernels = program.profile();
  std::string all_reduce = job.size() > 1 && !kernels.kernels.empty() ? fmt::format("{:.3f}", milliseconds_per_step(kernels, "all_reduce")) : "null";
  if (!job.leads()) return;
  fmt::print(
      "{{\"workload\": \"{}\", \"impl\": \"heed-{}\", \"mode\": \"{}\", \"precision\": \"{}\", \"threads\": {}, \"ranks\": {}, \"all_reduce_ms_per_step\": {}, "
      "\"batch\": {}, \"steps\": {}, "
      "\"kernels_per_step\": {}, \"ms_per_step_median\": {:.3f}, \"ms_per_step_min\": {:.3f}, \"samples_per_s\": {:.2f}, \"flops_per_step\": {}, "
      "\"gflops\": {:.2f}, \"planned_peak_bytes\": {}, \"persistent_bytes\": {}, \"peak_rss_bytes\": {}, \"compile_ms\": {:.1f}, \"last_loss\": {}, "
      "\"device\": \"{}\", \"omp_wait_policy\": \"{}\", \"gomp_spincount\": \"{}\"}}\n",
      workload, backend.name(), options.mode, precision_name(options.precision), threads, job.size(), all_reduce, batch, options.steps, program.kernels(), median, times.front(), batch * 1e3 / median, flops,
      static_cast<double>(flops) / median / 1e6, program.plan().arena_bytes, program.plan().persistent_bytes, peak_resident_bytes(), compile_ms, loss,
      backend.device(), environment("OMP_WAIT_POLICY"), environment("GOMP_SPINCOUNT"));
  std::fflush(stdout);
  if (options.profile) fmt::print(stderr, "{} {} on {}: {}", workload, options.mode, backend.name(), profile_report(program.profile()));
}

}  // namespace

void run_workload_benchmark(const WorkloadOptions& options) {
  if (options.mode != "train" && options.mode != "infer") fail("unknown mode '{}'; choose train or infer", options.mode);
  if (options.steps <= 0 || options.warmup < 0) fail("--steps must be positive and --warmup not negative, got {} and {}", options.steps, options.warmup);
  std::vector<const train::ModelRegistration*> workloads =
      options.workload == "all" ? train::registered_models() : std::vector{&train::find_model(options.workload)};
  train::Job job = options.mode == "train" ? train::Job::detect() : train::Job();
  auto backend = load_backend(options.backend);
  try {
    for (const train::ModelRegistration* workload : workloads) time_workload(*workload, options, *backend, job);
  } catch (const std::exception& error) {
    job.abort(fmt::format("heed-bench: {}", error.what()));  // another rank may wait for this one
    throw;
  }
}

}  // namespace heed::bench
