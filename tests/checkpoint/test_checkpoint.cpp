// Model-level checkpoints on a compiled program. The program runs on a stand-in executable that
// only keeps persistent values in host memory: what is tested here is the checking and naming,
// not a backend.
#include "error_message.hpp"
#include "../support/temp_dir.hpp"

#include <heed/checkpoint.hpp>
#include <heed/backend/module.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <map>

namespace {

using heed::HostTensor;
using heed_test::TempDir;

class HostExecutable : public heed::Executable {
 public:
  explicit HostExecutable(const heed::Graph& graph) {
    for (heed::NodeId id = 0; id < graph.size(); ++id)
      if (graph.node(id).value) values_[id] = *graph.node(id).value;
  }
  void run(std::span<const std::pair<heed::NodeId, heed::HostView>>) override {}
  int64_t kernels() const override { return 0; }  // runs nothing: holds values only
  void read(heed::NodeId id, void* destination) override {
    const HostTensor& value = values_.at(id);
    std::memcpy(destination, value.data(), static_cast<size_t>(value.bytes()));
  }
  void write(heed::NodeId id, const void* source) override {
    HostTensor& value = values_.at(id);
    std::memcpy(value.data(), source, static_cast<size_t>(value.bytes()));
  }

 private:
  std::map<heed::NodeId, HostTensor> values_;
};

heed::Program compile_on_host(heed::Graph& graph) {
  return heed::Program(graph, heed::plan_graph(graph), std::make_unique<HostExecutable>(graph));
}

// A small model: a linear layer's parameters and an optimiser step counter, all kept.
struct Model {
  heed::Graph graph;
  heed::Tensor weight, bias, step;
  std::vector<heed::Tensor> values;

  explicit Model(float fill, heed::Shape weight_shape = {2, 3}) {
    std::vector<float> w(static_cast<size_t>(heed::element_count(weight_shape)), fill);
    weight = graph.parameter("layer.weight", HostTensor(weight_shape, w));
    bias = graph.parameter("layer.bias", HostTensor({3}, std::vector<float>(3, fill)));
    step = graph.state("step", HostTensor({1}, std::vector<int32_t>{static_cast<int32_t>(fill)}));
    values = {weight, bias, step};
    for (heed::Tensor value : values) graph.output(value);
  }
};

std::vector<float> floats(heed::Program& program, heed::Tensor tensor) {
  HostTensor value = program.read(tensor);
  return {value.f32().begin(), value.f32().end()};
}

}  // namespace

TEST_CASE("save_checkpoint then load_checkpoint restores every parameter and state") {
  TempDir dir;
  Model saved(0.0f);
  heed::Program source = compile_on_host(saved.graph);
  source.write(saved.weight, std::vector<float>{1, 2, 3, 4, 5, 6});
  source.write(saved.bias, std::vector<float>{-1, -2, -3});
  source.write(saved.step, std::vector<int32_t>{17});
  heed::save_checkpoint(source, saved.values, dir / "model.safetensors", {{"model", "tiny"}});

  Model loaded(9.0f);
  heed::Program target = compile_on_host(loaded.graph);
  heed::load_checkpoint(target, loaded.values, dir / "model.safetensors", {.model = "tiny"});
  CHECK(floats(target, loaded.weight) == std::vector<float>{1, 2, 3, 4, 5, 6});
  CHECK(floats(target, loaded.bias) == std::vector<float>{-1, -2, -3});
  CHECK(target.read(loaded.step).item() == 17);
}

TEST_CASE("load_checkpoint returns the file's metadata, where the model's configuration is kept") {
  TempDir dir;
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  heed::save_checkpoint(program, model.values, dir / "m.safetensors", {{"model", "tiny"}, {"config", R"({"d":3})"}});
  heed::Metadata metadata = heed::load_checkpoint(program, model.values, dir / "m.safetensors");
  CHECK(metadata.at(heed::metadata_config_key) == R"({"d":3})");
}

TEST_CASE("load_checkpoint reports missing, unexpected, wrong-shape and wrong-dtype tensors in one error") {
  TempDir dir;
  heed::save_safetensors(dir / "bad.safetensors", {{"layer.weight", HostTensor(heed::f32, {3, 2})},
                                                   {"step", HostTensor(heed::f32, {1})},
                                                   {"decoder.out.bias", HostTensor(heed::f32, {16})}});
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  std::string message = heed_test::error_message([&] { heed::load_checkpoint(program, model.values, dir / "bad.safetensors"); });
  INFO(message);
  CHECK(heed_test::mentions(message, "bad.safetensors"));
  CHECK(heed_test::mentions(message, "missing from the file (1): 'layer.bias'"));
  CHECK(heed_test::mentions(message, "not in the model (1): 'decoder.out.bias'"));
  CHECK(heed_test::mentions(message, "'layer.weight' has shape [3, 2] in the file, [2, 3] in the model"));
  CHECK(heed_test::mentions(message, "'step' has dtype f32 in the file, i32 in the model"));
}

TEST_CASE("a checkpoint that does not match changes none of the program's values") {
  TempDir dir;
  heed::save_safetensors(dir / "bad.safetensors", {{"layer.weight", HostTensor({2, 3}, std::vector<float>(6, 5.0f))},
                                                   {"layer.bias", HostTensor(heed::f32, {4})},
                                                   {"step", HostTensor({1}, std::vector<int32_t>{3})}});
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  CHECK_ERROR_MENTIONS(heed::load_checkpoint(program, model.values, dir / "bad.safetensors"), "'layer.bias' has shape [4]");
  CHECK(floats(program, model.weight) == std::vector<float>(6, 1.0f));
}

TEST_CASE("a checkpoint of another model is refused naming both models") {
  TempDir dir;
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  heed::save_checkpoint(program, model.values, dir / "vit.safetensors", {{"model", "vit"}});
  CHECK_ERROR_MENTIONS(heed::load_checkpoint(program, model.values, dir / "vit.safetensors", {.model = "charlm"}),
                       "this checkpoint is of model 'vit', not 'charlm'");
}

TEST_CASE("a checkpoint without a model name is judged by its tensors alone") {
  TempDir dir;
  Model model(2.0f);
  heed::Program program = compile_on_host(model.graph);
  heed::save_checkpoint(program, model.values, dir / "plain.safetensors");
  CHECK_NOTHROW(heed::load_checkpoint(program, model.values, dir / "plain.safetensors", {.model = "tiny"}));
}

TEST_CASE("allow_missing keeps the current values of tensors the file lacks") {
  TempDir dir;
  heed::save_safetensors(dir / "params.safetensors", {{"layer.weight", HostTensor({2, 3}, std::vector<float>(6, 5.0f))},
                                                      {"layer.bias", HostTensor({3}, std::vector<float>(3, 6.0f))}});
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  heed::load_checkpoint(program, model.values, dir / "params.safetensors", {.allow_missing = true});
  CHECK(floats(program, model.weight) == std::vector<float>(6, 5.0f));
  CHECK(program.read(model.step).item() == 1);
}

TEST_CASE("allow_unexpected ignores tensors the model does not have") {
  TempDir dir;
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  heed::save_checkpoint(program, model.values, dir / "full.safetensors");
  std::vector<heed::Tensor> parameters = {model.weight, model.bias};
  CHECK_ERROR_MENTIONS(heed::load_checkpoint(program, parameters, dir / "full.safetensors"), "not in the model (1): 'step'");
  CHECK_NOTHROW(heed::load_checkpoint(program, parameters, dir / "full.safetensors", {.allow_unexpected = true}));
}

TEST_CASE("a checkpoint written by torch_models.save_safetensors loads into a program") {
  heed::Graph graph;
  std::vector<heed::Tensor> values = {graph.parameter("layer.weight", HostTensor(heed::f32, {2, 3})),
                                      graph.parameter("layer.bias", HostTensor(heed::f32, {3})),
                                      graph.parameter("scale", HostTensor(heed::f32, {1}))};
  for (heed::Tensor value : values) graph.output(value);
  heed::Program program = compile_on_host(graph);
  heed::Metadata metadata = heed::load_checkpoint(program, values, std::filesystem::path(HEED_CHECKPOINT_FIXTURES) / "torch_written.safetensors",
                                                  {.model = "tiny"});
  CHECK(metadata.at("model") == "tiny");
  CHECK(floats(program, values[0]) == std::vector<float>{-0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f});
  CHECK(floats(program, values[2]) == std::vector<float>{7.0f});
}

TEST_CASE("save_checkpoint refuses a value that is not a parameter or state, and a name given twice") {
  TempDir dir;
  Model model(1.0f);
  heed::Program program = compile_on_host(model.graph);
  heed::Tensor x = model.graph.input("x", {2});
  CHECK_ERROR_MENTIONS(heed::save_checkpoint(program, {model.weight, x}, dir / "a.safetensors"), "is not a parameter or state");
  CHECK_ERROR_MENTIONS(heed::save_checkpoint(program, {model.weight, model.weight}, dir / "a.safetensors"),
                       "the name 'layer.weight' is given twice");
  CHECK_FALSE(std::filesystem::exists(dir / "a.safetensors"));
}
