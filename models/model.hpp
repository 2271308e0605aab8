#pragma once
// What every reference model (shared/MODELS.md) builds: a graph at one batch size with named
// inputs, its logits, its attention distributions and, when training, its loss. Tools add the
// optimiser (heed::optim) and compile it on any backend.
#include <heed/heed.hpp>

#include <map>
#include <memory>

namespace heed::models {

struct BuildOptions {
  int64_t batch = 1;
  bool training = true;         // adds the loss (and its target inputs); dropout and Gumbel noise on
  bool greedy = false;          // seq2seq without training: feed back its own argmax (else teacher-forced)
  bool with_attention = true;   // makes the attention distributions a graph output
  uint32_t seed = 0;            // parameter initialisation and random streams
};

struct BuiltModel {
  std::unique_ptr<Graph> graph;
  std::map<std::string, Tensor> inputs;  // by input name
  Tensor logits;                         // the model's scores (see each model)
  Tensor attention;                      // empty unless with_attention
  Tensor loss;                           // empty unless training
  Tensor prediction;                     // decoded output where the model has one (seq2seq greedy)
  std::vector<Tensor> parameters() const { return graph->parameters(); }
  Tensor input(const std::string& name) const;
};

// The analytic matmul FLOPs of one forward pass at `batch`, counted exactly as
// shared/bench/torch_models.forward_matmul_flops does (a training step counts 3 times this).
// `context` is charlm's sequence length (0: the model's 128).
int64_t forward_matmul_flops(std::string_view model, int64_t batch, int64_t context = 0);

}  // namespace heed::models
