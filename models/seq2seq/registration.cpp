// seq2seq as the training API knows it (shared/MODELS.md section 1, task dates).
#include "dates_task.hpp"
#include "pairs_task.hpp"

#include <heed/models/config.hpp>
#include <heed/models/reference_models.hpp>

namespace heed::models {

namespace {

Seq2SeqConfig parse(const std::string& json) { return seq2seq_model_config(json); }

// Dates unless the run names pairs (--data) or was trained on them (a pairs section).
std::unique_ptr<train::Task> make_task(train::TaskOptions options) {
  if (!options.data.empty() || has_pairs_section(options.config_json)) return make_pairs_task(std::move(options));
  return make_dates_task(std::move(options));
}

int64_t product(int64_t m, int64_t n, int64_t k) { return 2 * m * n * k; }

// Counted exactly as shared/bench/torch_models.forward_matmul_flops counts them.
int64_t forward_matmul_flops(const Seq2SeqConfig& c, int64_t batch) {
  const int64_t S = c.source_length, T = c.target_length, E = c.embedding, He = c.encoder_hidden, Hd = c.decoder_hidden,
                A = c.attention, Vt = c.target_vocab;
  int64_t per = 2 * S * (product(1, 4 * He, E) + product(1, 4 * He, He));  // bidirectional LSTM
  per += product(1, Hd, 2 * He);                                            // bridge
  per += S * product(1, A, 2 * He);                                         // attention.key
  per += T * (product(1, A, Hd) + S * product(1, 1, A) + product(1, 2 * He, S) + product(1, 4 * Hd, E + 2 * He) +
              product(1, 4 * Hd, Hd) + product(1, Vt, Hd + 2 * He));
  return batch * per;
}

}  // namespace

// Batches are the benchmark's (MODELS.md); the steps reach the PyTorch quality runs of
// shared/bench/RESULTS.md sooner thanks to warm-up plus cosine decay; the peak rate was chosen by
// measuring (README).
train::ModelRegistration seq2seq_registration() {
  return {.name = "seq2seq",
          .task = "dates: human-readable dates to ISO; or any source<TAB>target pairs",
          .metric = "exact match on 1000 held-out dates, or on the held-out pairs",
          .data_help = "generates its dates; or a UTF-8 file of source<TAB>target lines, one pair a line",
          .input_help = "a date, or a source string of the pairs it learnt",
          .valid_help = "a pairs file (default: the last 5 % of --data)",
          .defaults = {.steps = 1000, .epochs = 0, .batch = 64, .lr = 3e-3, .warmup = 100, .eval_every = 500, .eval_batch = 250},
          .build = [](const std::string& config, const BuildOptions& options) { return build_seq2seq(parse(config), options); },
          .make_task = make_task,
          .forward_matmul_flops = [](const std::string& config, int64_t batch) { return forward_matmul_flops(parse(config), batch); }};
}

}  // namespace heed::models
