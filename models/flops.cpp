#include "model.hpp"

namespace heed::models {

namespace {
int64_t product(int64_t m, int64_t n, int64_t k) { return 2 * m * n * k; }
}  // namespace

int64_t forward_matmul_flops(std::string_view model, int64_t batch, int64_t context) {
  if (model == "seq2seq") {
    const int64_t S = 32, T = 11, E = 64, He = 128, Hd = 256, A = 128, Vt = 16;
    int64_t per = 2 * S * (product(1, 4 * He, E) + product(1, 4 * He, He));  // bidirectional LSTM
    per += product(1, Hd, 2 * He);                                            // bridge
    per += S * product(1, A, 2 * He);                                         // attention.key
    per += T * (product(1, A, Hd) + S * product(1, 1, A) + product(1, 2 * He, S) + product(1, 4 * Hd, E + 2 * He) +
                product(1, 4 * Hd, Hd) + product(1, Vt, Hd + 2 * He));
    return batch * per;
  }
  if (model == "charlm" || model == "vit") {
    bool lm = model == "charlm";
    int64_t T = lm ? (context > 0 ? context : 128) : 50, d = lm ? 128 : 64, L = 4, mlp = lm ? 512 : 128;
    int64_t extra = lm ? product(T, 256, d) : product(49, d, 16) + product(1, 10, d);
    int64_t layer = product(T, 3 * d, d) + product(T, d, d) + product(T, mlp, d) + product(T, d, mlp) + 2 * product(T, T, d);
    return batch * (L * layer + extra);
  }
  fail("unknown model '{}'; the models are seq2seq, charlm and vit", model);
}

}  // namespace heed::models
