#pragma once
// seq2seq (MODELS.md section 1): a bidirectional LSTM encoder, a decoder LSTM cell with
// additive, general or hard attention over the source, task `dates`.
// Inputs: source i32 [B, S], source_mask f32 [B, S] (1 at real characters), target_in i32 [B, T]
// (<bos> + the first T-1 target characters; teacher forcing) and, when training, target_out
// i32 [B, T]. Outputs: logits [B, T, Vt], attention [B, T, S]. The greedy variant feeds its own
// argmax back instead of target_in and gives prediction i32 [B, T].
#include <heed/models/model.hpp>

namespace heed::models {

struct Seq2SeqConfig {
  int64_t source_vocab = 64, target_vocab = 16;
  int64_t source_length = 32, target_length = 11;
  int64_t embedding = 64, encoder_hidden = 128, decoder_hidden = 256, attention = 128;
  nn::Scoring scoring = nn::Scoring::additive;
  double temperature = 1.0;  // hard attention's Gumbel-softmax temperature
  int32_t bos = 1, pad = 0;

  bool operator==(const Seq2SeqConfig&) const = default;
};

class Seq2Seq {
 public:
  Seq2Seq(Graph& graph, Seq2SeqConfig config);
  struct Outputs {
    Tensor logits, attention, prediction;
    std::vector<Tensor> steps;  // each output step's attention [B, S], on the path to its logits
  };
  // Teacher-forced decoding over target_in.
  Outputs forward(Tensor source, Tensor source_mask, Tensor target_in, bool training) const;
  // Greedy decoding: each step's argmax is the next step's input (inference).
  Outputs greedy(Tensor source, Tensor source_mask) const;

  Seq2SeqConfig config;
  nn::Embedding source_embedding, target_embedding;
  nn::LSTM encoder;
  nn::Linear bridge, output;
  nn::DecoderAttention attention;
  nn::LSTMCell cell;

 private:
  struct Encoded {
    Tensor h, keys;
    nn::LSTMState state;
  };
  Encoded encode(Tensor source, Tensor source_mask) const;
  Outputs decode(const Encoded& encoded, Tensor source_mask, Tensor target_in, bool training) const;
};

// Builds the model for `options.batch`: teacher-forced, or greedy when options.greedy (inference).
BuiltModel build_seq2seq(const Seq2SeqConfig& config, const BuildOptions& options);

}  // namespace heed::models
