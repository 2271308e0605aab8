#include "op_harness.hpp"

#include "../reference/reference.hpp"
#include "backends.hpp"
#include "compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <memory>
#include <random>
#include <set>

namespace heed::test {

In In::i32(Shape shape, int64_t low, int64_t high) {
  In in(std::move(shape));
  in.dtype = DType::i32;
  in.low = static_cast<double>(low);
  in.high = static_cast<double>(high);
  in.differentiable = false;
  return in;
}
In In::stored_as(DType dtype_) const {
  In in = *this;
  in.dtype = dtype_;
  in.differentiable = false;
  return in;
}
In In::range(double low_, double high_) const {
  In in = *this;
  in.low = low_;
  in.high = high_;
  return in;
}
In In::away_from_zero(double margin) const {
  In in = *this;
  in.min_abs = margin;
  return in;
}
In In::whole_numbers(double low_, double high_) const {
  In in = range(low_, high_);
  in.whole = true;
  in.differentiable = false;
  return in;
}
In In::no_grad() const {
  In in = *this;
  in.differentiable = false;
  return in;
}
In In::values(std::vector<double> given) const {
  In in = *this;
  in.fixed = std::move(given);
  return in;
}

namespace {

uint64_t hash(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (char ch : text) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  return h;
}

// The values of one input, as the host tensor fed to backends (the reference gets the same
// values widened to double).
HostTensor make_values(const In& in, uint64_t seed) {
  HostTensor tensor(in.dtype, in.shape);
  // Float values are drawn in double and stored in the input's dtype, rounded once.
  auto store = [&](int64_t i, double value) {
    const auto at = static_cast<size_t>(i);
    switch (in.dtype) {
      case DType::f32: tensor.f32()[at] = static_cast<float>(value); break;
      case DType::i32: tensor.i32()[at] = static_cast<int32_t>(value); break;
      case DType::bf16: tensor.bf16()[at] = bfloat16(static_cast<float>(value)); break;
      case DType::f16: tensor.f16()[at] = float16(static_cast<float>(value)); break;
    }
  };
  std::mt19937_64 rng(seed);
  if (!in.fixed.empty()) {
    if (static_cast<int64_t>(in.fixed.size()) != tensor.size())
      FAIL("a case gives " << in.fixed.size() << " values for an input of shape " << shape_string(in.shape));
    for (int64_t i = 0; i < tensor.size(); ++i) store(i, in.fixed[static_cast<size_t>(i)]);
    return tensor;
  }
  if (in.dtype == i32 || in.whole) {
    std::uniform_int_distribution<int64_t> draw(static_cast<int64_t>(in.low), static_cast<int64_t>(in.high));
    for (int64_t i = 0; i < tensor.size(); ++i) store(i, static_cast<double>(draw(rng)));
    return tensor;
  }
  std::uniform_real_distribution<double> draw(in.low, in.high);
  for (int64_t i = 0; i < tensor.size(); ++i) {
    double value = draw(rng);
    for (int tries = 0; std::abs(value) < in.min_abs && tries < 1000; ++tries) value = draw(rng);
    store(i, value);
  }
  return tensor;
}

std::vector<double> widen(const HostTensor& tensor) { return to_doubles(tensor); }

// One case built into a graph: with gradients (for the VJP and backward checks) or with guards
// around the outputs (for the forward check).
struct Built {
  std::unique_ptr<Graph> graph;
  std::vector<Tensor> inputs, outputs;
  std::vector<Tensor> differentiated;       // the inputs whose gradients are checked
  std::vector<size_t> differentiated_index;  // their positions in `inputs`
  std::vector<Tensor> grads;
  std::vector<std::vector<double>> weights;  // per output: the fixed weights of the loss (empty for i32)
  // Guards: inputs to feed and outputs that must come back unchanged.
  std::vector<std::pair<Tensor, HostTensor>> extra_feeds;
  std::vector<std::pair<Tensor, std::vector<double>>> guards;
};

constexpr uint32_t graph_seed = 0x7e57;

Built build(const OpCase& c, const std::vector<HostTensor>& values, bool with_gradients, bool with_guards,
            const std::vector<Shape>& output_shapes) {
  Built b;
  b.graph = std::make_unique<Graph>(graph_seed);
  Graph& g = *b.graph;
  for (size_t i = 0; i < c.inputs.size(); ++i) b.inputs.push_back(g.input(fmt::format("x{}", i), c.inputs[i].shape, c.inputs[i].dtype));

  if (with_guards) {
    // A pad the size of each output is computed, then a guard right after it in the arena; once
    // the pad is dead its slot fits the output exactly (best fit), so a write past the end of
    // the output lands in the guard.
    HostTensor guard_values({16}, std::vector<float>(16));
    for (size_t i = 0; i < 16; ++i) guard_values.f32()[i] = 1234.5f + static_cast<float>(i);
    Tensor guard_input = g.input("guard", {16});
    b.extra_feeds.emplace_back(guard_input, guard_values);
    std::vector<double> expected_guard(16);
    for (size_t i = 0; i < 16; ++i) expected_guard[i] = -static_cast<double>(guard_values.f32()[i]);
    std::vector<Tensor> pads;
    for (size_t k = 0; k < output_shapes.size(); ++k) {
      int64_t size = element_count(output_shapes[k]);
      if (size == 0) continue;
      Tensor pad_input = g.input(fmt::format("pad{}", k), {size});
      b.extra_feeds.emplace_back(pad_input, HostTensor({size}, std::vector<float>(static_cast<size_t>(size), 1.0f)));
      pads.push_back(neg(pad_input));
      Tensor guard = neg(guard_input);
      g.output(guard);
      b.guards.emplace_back(guard, expected_guard);
    }
    for (size_t k = 0; k < pads.size(); ++k) {
      Tensor sink = sum(pads[k]);
      g.output(sink);
      b.guards.emplace_back(sink, std::vector<double>{-static_cast<double>(pads[k].size())});
    }
  }

  b.outputs = c.build(g, b.inputs);
  for (const Tensor& y : b.outputs) g.output(y);

  if (with_gradients) {
    Tensor loss;
    std::mt19937_64 rng(hash(c.op + "/" + c.name + "/weights"));
    std::uniform_real_distribution<double> draw(-1, 1);
    for (const Tensor& y : b.outputs) {
      std::vector<double> w;
      if (y.dtype() == f32) {
        HostTensor values_w(f32, y.shape());
        for (float& x : values_w.f32()) x = static_cast<float>(draw(rng));
        w = widen(values_w);
        Tensor term = sum(y * g.constant(values_w));
        loss = loss ? loss + term : term;
      }
      b.weights.push_back(std::move(w));
    }
    for (size_t i = 0; i < c.inputs.size(); ++i)
      if (c.inputs[i].dtype == f32 && c.inputs[i].differentiable) {
        b.differentiated.push_back(b.inputs[i]);
        b.differentiated_index.push_back(i);
      }
    if (loss && !b.differentiated.empty()) {
      b.grads = grad(loss, b.differentiated);
      for (const Tensor& gradient : b.grads) g.output(gradient);
    }
  }
  (void)values;
  return b;
}

std::string input_summary(const OpCase& c) {
  std::vector<std::string> parts;
  for (const In& in : c.inputs) parts.push_back(fmt::format("{}{}", dtype_name(in.dtype), shape_string(in.shape)));
  return fmt::format("{}", fmt::join(parts, ", "));
}

void feed_reference(reference::Evaluator& ev, const Built& b, const std::vector<HostTensor>& values) {
  for (size_t i = 0; i < b.inputs.size(); ++i) ev.set(b.inputs[i], values[i]);
  for (const auto& [tensor, host] : b.extra_feeds) ev.set(tensor, host);
}

std::vector<NodeId> ids(const std::vector<Tensor>& tensors) {
  std::vector<NodeId> result;
  for (const Tensor& t : tensors) result.push_back(t.id());
  return result;
}

double loss_of(const reference::Evaluator& ev, const Built& b) {
  double loss = 0;
  for (size_t k = 0; k < b.outputs.size(); ++k) {
    if (b.weights[k].empty()) continue;
    const reference::Array& y = ev.value(b.outputs[k]);
    for (size_t i = 0; i < y.data.size(); ++i) loss += y.data[i] * b.weights[k][i];
  }
  return loss;
}

// The elements of an input whose finite differences are taken: all of them for small inputs,
// an even spread of 48 for larger ones.
std::vector<int64_t> probe_elements(int64_t size) {
  constexpr int64_t limit = 48;
  std::vector<int64_t> elements;
  if (size <= limit) {
    for (int64_t i = 0; i < size; ++i) elements.push_back(i);
  } else {
    for (int64_t i = 0; i < limit; ++i) elements.push_back(i * (size - 1) / (limit - 1));
  }
  return elements;
}

void check_finite_differences(const OpCase& c, const Built& b, const std::vector<HostTensor>& values) {
  reference::Evaluator ev(*b.graph);
  feed_reference(ev, b, values);
  std::vector<NodeId> wanted = ids(b.outputs);
  for (NodeId id : ids(b.grads)) wanted.push_back(id);
  ev.evaluate(wanted);
  for (size_t j = 0; j < b.differentiated.size(); ++j) {
    const size_t input = b.differentiated_index[j];
    const std::vector<double> analytic_all = ev.value(b.grads[j]).data;
    CHECK_MESSAGE(all_finite(analytic_all), "the reference gradient of input " << input << " is not finite");
    std::vector<double> base = widen(values[input]), analytic, numeric;
    reference::Evaluator probe(*b.graph);
    feed_reference(probe, b, values);
    const double h = c.tolerance.step;
    for (int64_t e : probe_elements(static_cast<int64_t>(base.size()))) {
      std::vector<double> moved = base;
      moved[static_cast<size_t>(e)] = base[static_cast<size_t>(e)] + h;
      probe.set(b.inputs[input], moved);
      probe.evaluate(ids(b.outputs));
      double plus = loss_of(probe, b);
      moved[static_cast<size_t>(e)] = base[static_cast<size_t>(e)] - h;
      probe.set(b.inputs[input], moved);
      probe.evaluate(ids(b.outputs));
      double minus = loss_of(probe, b);
      numeric.push_back((plus - minus) / (2 * h));
      analytic.push_back(analytic_all[static_cast<size_t>(e)]);
    }
    Comparison result = compare(numeric, analytic);
    CHECK_MESSAGE(result.passes(c.tolerance.finite_difference),
                  "VJP of " << c.op << " (" << c.name << ") w.r.t. input " << input << " [" << input_summary(c)
                            << "] differs from finite differences (h " << h << ", tolerance " << c.tolerance.finite_difference
                            << "): " << result.describe());
  }
}

// Runs a built graph on a backend and compares `tensors` with the reference's values.
void check_on_backend(const OpCase& c, const std::string& backend_name, Backend& backend, const Built& b,
                      const std::vector<HostTensor>& values, const std::string& what) {
  reference::Evaluator ev(*b.graph);
  feed_reference(ev, b, values);
  std::vector<NodeId> wanted = ids(b.outputs);
  for (NodeId id : ids(b.grads)) wanted.push_back(id);
  ev.evaluate(wanted);

  Program program = backend.compile(*b.graph);
  std::vector<Feed> feeds;
  for (size_t i = 0; i < b.inputs.size(); ++i) feeds.push_back({b.inputs[i], values[i]});
  for (const auto& [tensor, host] : b.extra_feeds) feeds.push_back({tensor, host});
  program.run(std::span<const Feed>(feeds));

  auto check = [&](const Tensor& tensor, double tolerance, const std::string& label) {
    const reference::Array& expected = ev.value(tensor);
    REQUIRE_MESSAGE(all_finite(expected.data), "the reference's " << label << " of " << c.op << " (" << c.name << ") is not finite");
    std::vector<double> got = to_doubles(program.read(tensor));
    Comparison result = compare(expected.data, got);
    const double limit = tensor.dtype() == i32 ? 0.0 : tolerance;
    CHECK_MESSAGE(result.passes(limit), backend_name << ": " << label << " of " << c.op << " (" << c.name << ") ["
                                                     << input_summary(c) << "] " << what << " differs from the reference (tolerance "
                                                     << limit << "): " << result.describe());
  };
  for (size_t k = 0; k < b.outputs.size(); ++k) check(b.outputs[k], c.tolerance.forward, fmt::format("output {}", k));
  for (size_t j = 0; j < b.grads.size(); ++j)
    check(b.grads[j], c.tolerance.backward, fmt::format("gradient w.r.t. input {}", b.differentiated_index[j]));
  for (const auto& [guard, expected] : b.guards) {
    std::vector<double> got = to_doubles(program.read(guard));
    CHECK_MESSAGE(got == expected, backend_name << ": " << c.op << " (" << c.name << ") [" << input_summary(c)
                                                << "]: a guard value computed before the op changed: an out-of-bounds write");
  }
}

}  // namespace

void check_case(const OpCase& c) {
  // A crash inside a backend ends the process before doctest can say which case ran:
  // HEED_TEST_VERBOSE=1 names each case as it starts.
  if (const char* verbose = std::getenv("HEED_TEST_VERBOSE"); verbose && *verbose && *verbose != '0')
    fmt::print(stderr, "case: {} ({}) [{}]\n", c.op, c.name, input_summary(c));
  INFO("case: " << c.op << " (" << c.name << ") [" << input_summary(c) << "]");
  std::vector<HostTensor> values;
  for (size_t i = 0; i < c.inputs.size(); ++i) values.push_back(make_values(c.inputs[i], hash(fmt::format("{}/{}/{}", c.op, c.name, i))));
  try {
    Built full = build(c, values, c.gradients, false, {});
    std::vector<Shape> shapes;
    for (const Tensor& y : full.outputs) shapes.push_back(y.shape());
    Built guarded = build(c, values, false, true, shapes);
    if (c.gradients && c.finite_differences) check_finite_differences(c, full, values);
    for (const std::string& name : backends_under_test()) {
      std::shared_ptr<Backend> backend = load_for_test(name);
      if (!backend) continue;
      auto refusal = std::find_if(c.refusals.begin(), c.refusals.end(), [&](const Refusal& r) { return r.backend == name; });
      if (refusal != c.refusals.end()) {
        CHECK_THROWS_WITH_AS(backend->compile(*full.graph), doctest::Contains(refusal->says.c_str()), heed::Error);
        continue;
      }
      try {
        check_on_backend(c, name, *backend, guarded, values, "forward");
        check_on_backend(c, name, *backend, full, values, "forward with backward");
      } catch (const std::exception& error) {
        FAIL_CHECK(name << ": " << c.op << " (" << c.name << ") threw: " << std::string(error.what()));
      }
    }
  } catch (const std::exception& error) {
    FAIL_CHECK(c.op << " (" << c.name << ") threw: " << std::string(error.what()));
  }
}

void check_op(std::string_view op) {
  int count = 0;
  for (const OpCase& c : all_cases())
    if (c.op == op) {
      check_case(c);
      ++count;
    }
  CHECK_MESSAGE(count > 0, "no case exercises " << op);
}

std::vector<Op> ops_exercised() {
  std::set<Op> seen;
  for (const OpCase& c : all_cases()) {
    std::vector<HostTensor> values;
    for (const In& in : c.inputs) values.emplace_back(in.dtype, in.shape);
    Built b = build(c, values, c.gradients, false, {});
    for (const Node& node : b.graph->nodes()) seen.insert(node.op);
  }
  return {seen.begin(), seen.end()};
}

}  // namespace heed::test
