// The parameter names and shapes of each model at its reference configuration are exactly those
// of shared/MODELS.md (and so of PyTorch's state_dict in shared/bench/torch_models.py).
#include "model_support.hpp"

#include <heed/models/charlm.hpp>
#include <heed/models/seq2seq.hpp>
#include <heed/models/vit.hpp>

#include <map>

namespace {

using Spec = std::map<std::string, heed::Shape>;

void add_block(Spec& spec, const std::string& prefix, int64_t d, int64_t mlp) {
  spec[prefix + ".ln1.weight"] = {d};
  spec[prefix + ".ln1.bias"] = {d};
  spec[prefix + ".attn.qkv.weight"] = {3 * d, d};
  spec[prefix + ".attn.qkv.bias"] = {3 * d};
  spec[prefix + ".attn.proj.weight"] = {d, d};
  spec[prefix + ".attn.proj.bias"] = {d};
  spec[prefix + ".ln2.weight"] = {d};
  spec[prefix + ".ln2.bias"] = {d};
  spec[prefix + ".mlp.fc.weight"] = {mlp, d};
  spec[prefix + ".mlp.fc.bias"] = {mlp};
  spec[prefix + ".mlp.proj.weight"] = {d, mlp};
  spec[prefix + ".mlp.proj.bias"] = {d};
}

Spec seq2seq_spec() {
  Spec spec{{"encoder.embedding.weight", {64, 64}}};
  for (std::string suffix : {"", "_reverse"}) {
    spec["encoder.lstm.weight_ih_l0" + suffix] = {512, 64};
    spec["encoder.lstm.weight_hh_l0" + suffix] = {512, 128};
    spec["encoder.lstm.bias_ih_l0" + suffix] = {512};
    spec["encoder.lstm.bias_hh_l0" + suffix] = {512};
  }
  spec.insert({{"bridge.weight", {256, 256}},
               {"bridge.bias", {256}},
               {"attention.query.weight", {128, 256}},
               {"attention.key.weight", {128, 256}},
               {"attention.key.bias", {128}},
               {"attention.score.weight", {1, 128}},
               {"decoder.embedding.weight", {16, 64}},
               {"decoder.cell.weight_ih", {1024, 320}},
               {"decoder.cell.weight_hh", {1024, 256}},
               {"decoder.cell.bias_ih", {1024}},
               {"decoder.cell.bias_hh", {1024}},
               {"decoder.out.weight", {16, 512}},
               {"decoder.out.bias", {16}}});
  return spec;
}

Spec charlm_spec() {
  Spec spec{{"tok_emb.weight", {256, 128}}, {"pos_emb.weight", {128, 128}}};
  for (int i = 0; i < 4; ++i) add_block(spec, fmt::format("blocks.{}", i), 128, 512);
  spec.insert({{"ln_f.weight", {128}}, {"ln_f.bias", {128}}, {"head.weight", {256, 128}}});
  return spec;
}

Spec vit_spec() {
  Spec spec{{"patch.weight", {64, 16}}, {"patch.bias", {64}}, {"cls", {1, 1, 64}}, {"pos_emb", {1, 50, 64}}};
  for (int i = 0; i < 4; ++i) add_block(spec, fmt::format("blocks.{}", i), 64, 128);
  spec.insert({{"ln_f.weight", {64}}, {"ln_f.bias", {64}}, {"head.weight", {10, 64}}, {"head.bias", {10}}});
  return spec;
}

// The differences between the graph's parameters and the spec, one line each.
std::string diff(heed::Graph& graph, const Spec& want) {
  Spec got;
  for (const heed::Tensor& p : graph.parameters()) got[p.name()] = p.shape();
  std::string lines;
  for (const auto& [name, shape] : want) {
    auto found = got.find(name);
    if (found == got.end()) lines += fmt::format("  missing {} {}\n", name, heed::shape_string(shape));
    else if (found->second != shape)
      lines += fmt::format("  {}: {} instead of {}\n", name, heed::shape_string(found->second), heed::shape_string(shape));
  }
  for (const auto& [name, shape] : got)
    if (!want.contains(name)) lines += fmt::format("  unexpected {} {}\n", name, heed::shape_string(shape));
  return lines;
}

}  // namespace

TEST_CASE("seq2seq's parameters are named and shaped as MODELS.md says") {
  heed::Graph graph;
  heed::models::Seq2Seq model(graph, {});
  std::string differences = diff(graph, seq2seq_spec());
  INFO("differences from MODELS.md:\n" << differences);
  CHECK(differences.empty());
}

TEST_CASE("seq2seq with general (dot-product) scoring has a bias-free key of 256 x 256 and no query or score") {
  heed::Graph graph;
  heed::models::Seq2Seq model(graph, {.scoring = heed::nn::Scoring::general});
  Spec spec = seq2seq_spec();
  spec.erase("attention.query.weight");
  spec.erase("attention.score.weight");
  spec.erase("attention.key.bias");
  spec["attention.key.weight"] = {256, 256};
  std::string differences = diff(graph, spec);
  INFO("differences:\n" << differences);
  CHECK(differences.empty());
}

TEST_CASE("charlm's parameters are named and shaped as MODELS.md says") {
  heed::Graph graph;
  heed::models::CharLM model(graph, {});
  std::string differences = diff(graph, charlm_spec());
  INFO("differences from MODELS.md:\n" << differences);
  CHECK(differences.empty());
}

TEST_CASE("vit's parameters are named and shaped as MODELS.md says") {
  heed::Graph graph;
  heed::models::ViT model(graph, {});
  std::string differences = diff(graph, vit_spec());
  INFO("differences from MODELS.md:\n" << differences);
  CHECK(differences.empty());
}

TEST_CASE("the reference models give outputs of the shapes MODELS.md states") {
  auto seq2seq = heed::models::build_seq2seq({}, {.batch = 2});
  CHECK(seq2seq.logits.shape() == heed::Shape{2, 11, 16});
  CHECK(seq2seq.attention.shape() == heed::Shape{2, 11, 32});
  auto charlm = heed::models::build_charlm({}, {.batch = 2});
  CHECK(charlm.logits.shape() == heed::Shape{2, 128, 256});
  CHECK(charlm.attention.shape() == heed::Shape{4, 2, 4, 128, 128});
  auto vit = heed::models::build_vit({}, {.batch = 2});
  CHECK(vit.logits.shape() == heed::Shape{2, 10});
  CHECK(vit.attention.shape() == heed::Shape{4, 2, 4, 50, 50});
}
