// Each model's logits, attention, loss and every parameter gradient equal PyTorch's
// (tests/models/fixtures, made by make_parity_fixtures.py from shared/bench/torch_models.py, and
// classify from its twin torch_classify.py, in float64) within 1e-4 relative and 1e-5 absolute, on every backend.
#include "model_support.hpp"

#include <heed/models/config.hpp>
#include <heed/checkpoint.hpp>

namespace {

using namespace heed;

struct ModelUnderTest {
  std::unique_ptr<Graph> graph = std::make_unique<Graph>();
  std::map<std::string, Tensor> inputs;
  Tensor logits, attention, loss;
};

Tensor input_like(Graph& graph, const Safetensors& fixture, const std::string& name) {
  const HostTensor& value = fixture.tensors.at("input." + name);
  return graph.input(name, value.shape(), value.dtype());
}

ModelUnderTest build(const Safetensors& fixture) {
  ModelUnderTest m;
  Graph& graph = *m.graph;
  const std::string& model = fixture.metadata.at("model");
  const std::string& config = fixture.metadata.at("config");
  for (const auto& [name, value] : fixture.tensors)
    if (name.starts_with("input.")) m.inputs[name.substr(6)] = input_like(graph, fixture, name.substr(6));
  if (model == "seq2seq") {
    models::Seq2Seq seq2seq(graph, models::seq2seq_config(config));
    auto out = seq2seq.forward(m.inputs["source"], m.inputs["source_mask"], m.inputs["target_in"], false);
    m.logits = out.logits, m.attention = out.attention;
    m.loss = cross_entropy(out.logits, m.inputs["target_out"], 0);
  } else if (model == "charlm") {
    models::CharLM charlm(graph, models::charlm_config(config));
    auto out = charlm.forward(m.inputs["tokens"], true);
    m.logits = out.logits, m.attention = out.attention;
    m.loss = cross_entropy(out.logits, m.inputs["targets"]);
  } else if (model == "classify") {
    models::Classify classify(graph, models::classify_config(config));
    auto out = classify.forward(m.inputs["text"], m.inputs["text_mask"]);
    m.logits = out.logits, m.attention = out.attention;
    m.loss = cross_entropy(out.logits, m.inputs["labels"]);
  } else {
    models::ViT vit(graph, models::vit_config(config));
    auto out = vit.forward(m.inputs["images"], true);
    m.logits = out.logits, m.attention = out.attention;
    m.loss = cross_entropy(out.logits, m.inputs["labels"]);
  }
  return m;
}

void check_parity(const std::string& fixture_name, const std::string& backend_name) {
  Safetensors fixture = load_safetensors(std::string(HEED_MODEL_FIXTURES) + "/" + fixture_name + ".safetensors");
  ModelUnderTest m = build(fixture);
  Graph& graph = *m.graph;
  std::vector<Tensor> params = graph.parameters();
  std::vector<Tensor> grads = grad(m.loss, params);
  for (Tensor t : {m.logits, m.attention, m.loss}) graph.output(t);
  for (Tensor g : grads) graph.output(g);

  auto backend = load_backend(backend_name);
  Program program = backend->compile(graph);
  for (const Tensor& p : params) {
    auto found = fixture.tensors.find("param." + p.name());
    REQUIRE_MESSAGE(found != fixture.tensors.end(), "the fixture has no parameter " << p.name());
    program.write(p, found->second);
  }
  std::vector<Feed> feeds;
  for (const auto& [name, tensor] : m.inputs) feeds.push_back({tensor, fixture.tensors.at("input." + name)});
  program.run(feeds);

  constexpr double relative = 1e-4, absolute = 1e-5;
  auto check = [&](const std::string& what, Tensor actual, const std::string& key) {
    std::string problem = testing::compare(program.read(actual), fixture.tensors.at(key), relative, absolute);
    INFO(fixture_name << " on " << backend_name << ", " << what << ": " << problem);
    CHECK(problem.empty());
  };
  check("logits", m.logits, "output.logits");
  check("attention", m.attention, "output.attention");
  check("loss", m.loss, "output.loss");
  for (size_t i = 0; i < params.size(); ++i) check("gradient of " + params[i].name(), grads[i], "grad." + params[i].name());
}

}  // namespace

TEST_CASE("seq2seq with additive attention matches PyTorch: logits, attention, loss and gradients") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("seq2seq-additive", backend);
}

TEST_CASE("seq2seq with general (dot-product) attention matches PyTorch") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("seq2seq-general", backend);
}

TEST_CASE("seq2seq with hard attention (argmax, straight-through gradient) matches PyTorch") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("seq2seq-hard", backend);
}

TEST_CASE("charlm matches PyTorch: logits, causal attention maps, loss and gradients") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("charlm", backend);
}

TEST_CASE("vit matches PyTorch: logits, attention maps, loss and gradients") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("vit", backend);
}

TEST_CASE("classify with its Transformer encoder matches its PyTorch twin: logits, pooling attention, loss and gradients") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("classify-transformer", backend);
}

TEST_CASE("classify with its BiLSTM encoder matches its PyTorch twin") {
  for (const std::string& backend : testing::backends_under_test()) check_parity("classify-bilstm", backend);
}
