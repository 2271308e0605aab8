#pragma once
// Optimisers are graph ops: minimize() appends the backward pass and one update effect per
// parameter. Their state (momenta, moments) and hyperparameters are persistent states, so a
// learning-rate schedule writes the hyper tensor and never rebuilds the graph.
#include <heed/graph.hpp>

#include <vector>

namespace heed {
class Program;
}

namespace heed::optim {

struct RankMeans {
  std::vector<Tensor> gradients;  // one per parameter
  Tensor loss;
};

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0;
  double weight_decay = 0;
};

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Differentiates `loss` with respect to `params` (default: every parameter of the graph),
  // appends the updates, and marks `loss` as an output. Returns the gradients.
  std::vector<Tensor> minimize(Tensor loss, std::vector<Tensor> params = {});
  // Data-parallel training (heed/data_parallel.hpp): as minimize, but each parameter is updated
  // with its gradient's mean over every rank's examples, `weight` (an f32 scalar) being how many
  // examples or counted tokens this rank's loss is the mean of. Returns those mean gradients and
  // the loss's mean over the ranks, which it marks as an output beside `loss`; both are the same
  // on every rank.
  RankMeans minimize_across_ranks(Tensor loss, Tensor weight, std::vector<Tensor> params = {});
  Tensor hyper() const { return hyper_; }  // the state holding the hyperparameters
  // Every state the optimiser added (hyper() first, then each parameter's momenta or moments):
  // what a checkpoint must save beside the parameters to resume the optimiser exactly.
  const std::vector<Tensor>& state() const { return state_; }
  void set_learning_rate(Program& program, double lr) const;

 protected:
  Optimizer(Graph& graph, std::string name) : graph_(graph), name_(std::move(name)) {}
  virtual void update(Tensor param, Tensor grad) = 0;
  virtual void after_updates() {}
  std::vector<Tensor> gradients(Tensor loss, std::vector<Tensor>& params) const;  // every parameter where `params` is empty
  void update_all(const std::vector<Tensor>& params, const std::vector<Tensor>& grads);
  Tensor add_state(std::string name, HostTensor initial);  // a graph state, recorded in state()
  Graph& graph_;
  std::string name_;
  Tensor hyper_;
  std::vector<Tensor> state_;
};

class SGD : public Optimizer {
 public:
  SGD(Graph& graph, SGDOptions options = {});

 private:
  void update(Tensor param, Tensor grad) override;
};

class AdamW : public Optimizer {
 public:
  AdamW(Graph& graph, AdamWOptions options = {});

 private:
  void update(Tensor param, Tensor grad) override;
  void after_updates() override;  // advances the step count in hyper
};

}  // namespace heed::optim
