#pragma once
// What a model's graph builder returns: one graph at one batch size with its named inputs, its
// scores, its attention distributions and, when training, its loss. The training API compiles it
// (adding the optimiser to a training graph) on whichever backend the user chose.
#include <heed/backend.hpp>

#include <map>
#include <memory>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace heed::train {

struct BuildOptions {
  int64_t batch = 1;
  bool training = true;         // adds the loss (and its target inputs); dropout and random noise on
  bool greedy = false;          // a model that decodes step by step feeds back its own argmax (else teacher-forced)
  bool with_attention = true;   // makes the attention distributions a graph output
  uint32_t seed = 0;            // parameter initialisation and random streams
  // For explanations: every attention distribution on the path to the logits (attention_maps)
  // and the score being explained (explained_score), with gradients able to reach the maps.
  bool explain = false;
};

struct BuiltModel {
  std::unique_ptr<Graph> graph;  // on the heap: tensors and compiled programs point at it
  std::map<std::string, Tensor> inputs;  // by input name
  Tensor logits;                         // the model's scores
  Tensor attention;                      // empty unless built with_attention
  Tensor loss;                           // empty unless training
  // With the loss: how many examples or counted tokens it is the mean of (an f32 scalar), which
  // weighs this rank's gradients in data-parallel training.
  Tensor loss_weight;
  Tensor prediction;                     // decoded output where the model has one (greedy decoding)
  // Built with explain: the attention distributions in the order the model applies them, and
  // the sum over the batch of each example's predicted-class logit.
  std::vector<Tensor> attention_maps;
  Tensor explained_score;
  std::vector<Tensor> attention_gradients;  // added by compile_explanation (heed/train/explanation.hpp)

  std::vector<Tensor> parameters() const { return graph->parameters(); }
  bool has_input(const std::string& name) const { return inputs.contains(name); }
  // The input called `name`; an unknown name is a heed::Error listing the inputs.
  Tensor input(const std::string& name) const;
  // Feeds for the named values of the inputs this graph has; the others are left out, so one
  // batch serves a training graph and a forward-only graph (which has no targets).
  std::vector<Feed> feeds(std::initializer_list<std::pair<std::string, HostView>> values) const;
};

}  // namespace heed::train
