#include <heed/models/seq2seq.hpp>

namespace heed::models {

Seq2Seq::Seq2Seq(Graph& graph, Seq2SeqConfig config_)
    : config(config_),
      source_embedding(graph, "encoder.embedding", config.source_vocab, config.embedding),
      target_embedding(graph, "decoder.embedding", config.target_vocab, config.embedding),
      encoder(graph, "encoder.lstm", config.embedding, config.encoder_hidden, true),
      bridge(graph, "bridge", 2 * config.encoder_hidden, config.decoder_hidden),
      output(graph, "decoder.out", config.decoder_hidden + 2 * config.encoder_hidden, config.target_vocab),
      attention(graph, "attention", config.scoring, config.decoder_hidden, 2 * config.encoder_hidden, config.attention,
                config.temperature),
      cell(graph, "decoder.cell", config.embedding + 2 * config.encoder_hidden, config.decoder_hidden) {}

Seq2Seq::Encoded Seq2Seq::encode(Tensor source, Tensor source_mask) const {
  if (source.dtype() != i32 || source.rank() != 2 || source.dim(1) != config.source_length)
    fail("seq2seq: source must be i32 [batch, {}], got {}", config.source_length, describe(source));
  if (source_mask.shape() != source.shape()) fail("seq2seq: source_mask {} must match source {}", describe(source_mask), describe(source));
  Tensor h = encoder(source_embedding(source));  // [B, S, 2 He]
  // The decoder starts from the mean of the real (unmasked) encoder states.
  Tensor mask = unsqueeze(source_mask, 2);
  Tensor count = sum(mask, {1});
  count = where(greater(count, scalar(h.graph(), 1)), count, scalar(h.graph(), 1));
  Tensor s = tanh(bridge(sum(h * mask, {1}) / count));
  return {h, attention.precompute(h), {s, zeros_like(s)}};
}

Seq2Seq::Outputs Seq2Seq::decode(const Encoded& encoded, Tensor source_mask, Tensor target_in, bool training) const {
  Graph& graph = encoded.h.graph();
  int64_t batch = encoded.h.dim(0), steps = config.target_length;
  Tensor embedded = target_in ? target_embedding(target_in) : Tensor{};  // [B, T, E] when teacher-forced
  Tensor previous = target_in ? Tensor{} : full(graph, {batch}, config.bos, i32);
  nn::LSTMState state = encoded.state;
  std::vector<Tensor> logits, weights, predictions, step_weights;
  for (int64_t t = 0; t < steps; ++t) {
    nn::SourceAttention attended = attention(state.h, encoded.keys, encoded.h, source_mask, training);  // uses s_{t-1}
    Tensor input = target_in ? reshape(slice(embedded, 1, t, t + 1), {batch, config.embedding}) : target_embedding(previous);
    state = cell(concat({input, attended.context}, 1), state);
    Tensor step_logits = output(concat({state.h, attended.context}, 1));
    logits.push_back(unsqueeze(step_logits, 1));
    weights.push_back(unsqueeze(attended.weights, 1));
    step_weights.push_back(attended.weights);
    if (!target_in) {
      previous = argmax(step_logits, -1);
      predictions.push_back(unsqueeze(previous, 1));
    }
  }
  return {concat(logits, 1), concat(weights, 1), predictions.empty() ? Tensor{} : concat(predictions, 1), step_weights};
}

Seq2Seq::Outputs Seq2Seq::forward(Tensor source, Tensor source_mask, Tensor target_in, bool training) const {
  if (target_in.dtype() != i32 || target_in.shape() != Shape{source.dim(0), config.target_length})
    fail("seq2seq: target_in must be i32 [{}, {}], got {}", source.dim(0), config.target_length, describe(target_in));
  return decode(encode(source, source_mask), source_mask, target_in, training);
}

Seq2Seq::Outputs Seq2Seq::greedy(Tensor source, Tensor source_mask) const {
  return decode(encode(source, source_mask), source_mask, {}, false);
}

BuiltModel build_seq2seq(const Seq2SeqConfig& config, const BuildOptions& options) {
  BuiltModel built{std::make_unique<Graph>(options.seed), {}, {}, {}, {}, {}};
  Graph& graph = *built.graph;
  Seq2Seq model(graph, config);
  int64_t batch = options.batch;
  Tensor source = graph.input("source", {batch, config.source_length}, i32);
  Tensor source_mask = graph.input("source_mask", {batch, config.source_length});
  built.inputs = {{"source", source}, {"source_mask", source_mask}};
  Seq2Seq::Outputs outputs;
  if (options.training) {
    Tensor target_in = graph.input("target_in", {batch, config.target_length}, i32);
    Tensor target_out = graph.input("target_out", {batch, config.target_length}, i32);
    built.inputs["target_in"] = target_in;
    built.inputs["target_out"] = target_out;
    outputs = model.forward(source, source_mask, target_in, true);
    built.loss = cross_entropy(outputs.logits, target_out, config.pad);
    built.loss_weight = counted_targets(target_out, config.pad);
    graph.output(built.loss);
  } else if (options.greedy) {
    outputs = model.greedy(source, source_mask);
    built.prediction = outputs.prediction;
    graph.output(built.prediction);
  } else {
    Tensor target_in = graph.input("target_in", {batch, config.target_length}, i32);
    built.inputs["target_in"] = target_in;
    outputs = model.forward(source, source_mask, target_in, false);
  }
  built.logits = outputs.logits;
  graph.output(built.logits);
  if (options.with_attention) {
    built.attention = outputs.attention;
    graph.output(built.attention);
  }
  if (options.explain) {  // each step's attention, and the logits of the tokens it chose
    built.attention_maps = outputs.steps;
    built.explained_score = sum(max(outputs.logits, {2}));
  }
  return built;
}

}  // namespace heed::models
