#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

#include <cmath>

namespace heed::nn {

LSTMCell::LSTMCell(Graph& graph, const std::string& name, int64_t in, int64_t hidden_size, const std::string& suffix)
    : hidden(hidden_size) {
  if (in <= 0 || hidden <= 0) fail("LSTM '{}': sizes must be positive, got in {} and hidden {}", name, in, hidden);
  double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  weight_ih = graph.parameter(name + ".weight_ih" + suffix, uniform(graph, {4 * hidden, in}, bound));
  weight_hh = graph.parameter(name + ".weight_hh" + suffix, uniform(graph, {4 * hidden, hidden}, bound));
  bias_ih = graph.parameter(name + ".bias_ih" + suffix, uniform(graph, {4 * hidden}, bound));
  bias_hh = graph.parameter(name + ".bias_hh" + suffix, uniform(graph, {4 * hidden}, bound));
}

Tensor LSTMCell::project_input(Tensor x) const {
  int64_t in = weight_ih.dim(1);
  if (x.rank() < 1 || x.dim(-1) != in) fail("LSTM '{}': expects input [..., {}], got {}", weight_ih.name(), in, describe(x));
  Shape shape = x.shape();
  shape.back() = 4 * hidden;
  Tensor projected = matmul(reshape(x, {x.size() / in, in}), weight_ih, false, true) + (bias_ih + bias_hh);
  return reshape(projected, shape);
}

LSTMState LSTMCell::step(Tensor projected_input, LSTMState state) const {
  Tensor gates = projected_input + matmul(state.h, weight_hh, false, true);
  auto gate = [&](int64_t index) { return slice(gates, -1, index * hidden, (index + 1) * hidden); };
  Tensor c = sigmoid(gate(1)) * state.c + sigmoid(gate(0)) * tanh(gate(2));
  return {sigmoid(gate(3)) * tanh(c), c};
}

LSTMState LSTMCell::operator()(Tensor x, LSTMState state) const { return step(project_input(x), state); }

LSTMState LSTMCell::zero_state(int64_t batch) const {
  Graph& graph = weight_ih.graph();
  return {full(graph, {batch, hidden}, 0), full(graph, {batch, hidden}, 0)};
}

LSTM::LSTM(Graph& graph, const std::string& name, int64_t in, int64_t hidden, bool bidirectional_)
    : forward_cell(graph, name, in, hidden, "_l0"), bidirectional(bidirectional_) {
  if (bidirectional) backward_cell = LSTMCell(graph, name, in, hidden, "_l0_reverse");
}

Tensor LSTM::operator()(Tensor x) const {
  if (x.rank() != 3) fail("LSTM '{}': expects input [batch, steps, features], got {}", forward_cell.weight_ih.name(), describe(x));
  int64_t batch = x.dim(0), steps = x.dim(1);
  auto run = [&](const LSTMCell& cell, bool reverse) {
    Tensor projected = cell.project_input(x);  // every step's input product in one matmul
    LSTMState state = cell.zero_state(batch);
    std::vector<Tensor> outputs(static_cast<size_t>(steps));
    for (int64_t i = 0; i < steps; ++i) {
      int64_t t = reverse ? steps - 1 - i : i;
      state = cell.step(reshape(slice(projected, 1, t, t + 1), {batch, 4 * cell.hidden}), state);
      outputs[static_cast<size_t>(t)] = unsqueeze(state.h, 1);
    }
    return concat(outputs, 1);
  };
  Tensor forward = run(forward_cell, false);
  return bidirectional ? concat({forward, run(backward_cell, true)}, -1) : forward;
}

}  // namespace heed::nn
