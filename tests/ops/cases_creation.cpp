// Creation ops: full, arange and the counter-based random ops. A creation op has no inputs, so
// each case adds it to an input (or compares it alone) to give the check a graph to run.
#include "cases.hpp"

namespace heed::test {

std::vector<OpCase> creation_cases() {
  std::vector<OpCase> cases;
  const Tolerance exact{.forward = 0, .backward = 0};

  cases.push_back({"full", "f32 of rank 3 added to an input", {In({2, 3, 5})},
                   [](Graph& g, const Inputs& x) -> Outputs { return {x[0] + full(g, {2, 3, 5}, -2.75)}; }});
  cases.push_back({"full", "f32 scalar", {}, [](Graph& g, const Inputs&) -> Outputs { return {full(g, {}, 0.1)}; }, exact, false});
  cases.push_back({"full", "i32 with an odd size", {}, [](Graph& g, const Inputs&) -> Outputs { return {full(g, {3, 37}, 7, i32)}; }, exact, false});
  cases.push_back({"full", "the masked logit -1e30", {}, [](Graph& g, const Inputs&) -> Outputs { return {full(g, {5}, masked_logit)}; }, exact, false});

  cases.push_back({"arange", "i32 from 0", {}, [](Graph& g, const Inputs&) -> Outputs { return {arange(g, 37)}; }, exact, false});
  cases.push_back({"arange", "i32 with a negative step", {}, [](Graph& g, const Inputs&) -> Outputs { return {arange(g, 9, 4, -3)}; }, exact, false});
  cases.push_back({"arange", "f32 with a fractional step", {}, [](Graph& g, const Inputs&) -> Outputs { return {arange(g, 21, -2.5, 0.25, f32)}; }, exact, false});
  cases.push_back({"arange", "f32 times an input", {In({19})},
                   [](Graph& g, const Inputs& x) -> Outputs { return {x[0] * arange(g, 19, 1, 0.5, f32)}; }});

  // Random ops: a backend's bits equal the reference's exactly (tolerance 0).
  struct Random {
    const char* op;
    Tensor (*f)(Graph&, Shape, RandomOptions);
  };
  for (auto [op, f] : {Random{"random_uniform", random_uniform}, Random{"random_normal", random_normal}, Random{"random_gumbel", random_gumbel}}) {
    cases.push_back({op, "no counter, odd size", {}, [f](Graph& g, const Inputs&) -> Outputs { return {f(g, {3, 333}, {.seed = 17u, .counter = {}})}; }, exact, false});
    cases.push_back({op, "graph seed, rank 0", {}, [f](Graph& g, const Inputs&) -> Outputs { return {f(g, {}, {})}; }, exact, false});
    cases.push_back({op, "a counter fed as input", {In::i32({}, 0, 1000).values({123456})},
                     [f](Graph& g, const Inputs& x) -> Outputs { return {f(g, {2, 5, 7}, {.seed = 99u, .counter = x[0]})}; }, exact, false});
    cases.push_back({op, "a negative counter (taken as unsigned)", {In::i32({}, 0, 0).values({-5})},
                     [f](Graph& g, const Inputs& x) -> Outputs { return {f(g, {129}, {.seed = 4000000000u, .counter = x[0]})}; }, exact, false});
    cases.push_back({op, "times an input (gradient flows to the input only)", {In({4, 9})},
                     [f](Graph& g, const Inputs& x) -> Outputs { return {x[0] * f(g, {4, 9}, {.seed = 5u, .counter = {}})}; }});
  }
  return cases;
}

}  // namespace heed::test
