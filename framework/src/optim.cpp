#include <heed/autodiff.hpp>
#include <heed/backend.hpp>
#include <heed/data_parallel.hpp>
#include <heed/error.hpp>
#include <heed/ops.hpp>
#include <heed/optim.hpp>

namespace heed::optim {

std::vector<Tensor> Optimizer::gradients(Tensor loss, std::vector<Tensor>& params) const {
  if (params.empty()) params = graph_.parameters();
  if (params.empty()) fail("{}: the graph has no parameters to train", name_);
  for (const Tensor& param : params)
    if (param.node().op != Op::Parameter) fail("{}: {} is not a parameter", name_, describe(param));
  return grad(loss, params);
}

void Optimizer::update_all(const std::vector<Tensor>& params, const std::vector<Tensor>& grads) {
  for (size_t i = 0; i < params.size(); ++i) update(params[i], grads[i]);
  after_updates();
}

std::vector<Tensor> Optimizer::minimize(Tensor loss, std::vector<Tensor> params) {
  std::vector<Tensor> grads = gradients(loss, params);
  update_all(params, grads);
  graph_.output(loss);
  return grads;
}

RankMeans Optimizer::minimize_across_ranks(Tensor loss, Tensor weight, std::vector<Tensor> params) {
  if (!loss.shape().empty()) fail("{}: the loss must be a scalar, got {}", name_, describe(loss));
  std::vector<Tensor> values = gradients(loss, params);
  values.push_back(loss);
  std::vector<Tensor> means = mean_over_ranks(values, weight);
  RankMeans result{.gradients = {}, .loss = means.back()};
  means.pop_back();
  update_all(params, means);
  graph_.output(loss);
  graph_.output(result.loss);
  result.gradients = std::move(means);
  return result;
}

Tensor Optimizer::add_state(std::string name, HostTensor initial) {
  Tensor state = graph_.state(std::move(name), std::move(initial));
  state_.push_back(state);
  return state;
}

void Optimizer::set_learning_rate(Program& program, double lr) const {
  HostTensor hyper = program.read(hyper_);
  hyper.f32()[0] = static_cast<float>(lr);
  program.write(hyper_, hyper);
}

SGD::SGD(Graph& graph, SGDOptions options) : Optimizer(graph, "sgd") {
  hyper_ = add_state("optim.hyper", HostTensor({3}, std::vector<float>{static_cast<float>(options.lr),
                                                                         static_cast<float>(options.momentum),
                                                                         static_cast<float>(options.weight_decay)}));
}

void SGD::update(Tensor param, Tensor grad) {
  Tensor velocity = add_state(fmt::format("optim.{}.momentum_buffer", param.name()), HostTensor(f32, param.shape()));
  sgd_update(param, grad, velocity, hyper_);
}

AdamW::AdamW(Graph& graph, AdamWOptions options) : Optimizer(graph, "adamw") {
  // The last entry is the number of the step being taken (1 at the first run).
  hyper_ = add_state("optim.hyper", HostTensor({6}, std::vector<float>{
                                                          static_cast<float>(options.lr), static_cast<float>(options.beta1),
                                                          static_cast<float>(options.beta2), static_cast<float>(options.eps),
                                                          static_cast<float>(options.weight_decay), 1.0f}));
}

void AdamW::update(Tensor param, Tensor grad) {
  Tensor m = add_state(fmt::format("optim.{}.exp_avg", param.name()), HostTensor(f32, param.shape()));
  Tensor v = add_state(fmt::format("optim.{}.exp_avg_sq", param.name()), HostTensor(f32, param.shape()));
  adamw_update(param, grad, m, v, hyper_);
}

void AdamW::after_updates() {
  Tensor next_step = graph_.constant(HostTensor({6}, std::vector<float>{0, 0, 0, 0, 0, 1}));
  assign(hyper_, hyper_ + next_step);
}

}  // namespace heed::optim
