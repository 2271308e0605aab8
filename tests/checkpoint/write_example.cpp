// Writes a small checkpoint with heed for torch_reads_heed.py, which reads it back with
// torch_models.load_safetensors: the heed -> PyTorch direction of the interchange.
#include <heed/checkpoint.hpp>

#include <fmt/format.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: {} OUTPUT.safetensors\n", argv[0]);
    return 2;
  }
  try {
    std::vector<float> weight(12);
    for (size_t i = 0; i < weight.size(); ++i) weight[i] = static_cast<float>(i) * 0.5f - 3.0f;
    heed::save_safetensors(argv[1],
                           {{"linear.weight", heed::HostTensor({3, 4}, weight)},
                            {"linear.bias", heed::HostTensor({3}, std::vector<float>{0.125f, -1e-3f, 1e6f})},
                            {"tokens", heed::HostTensor({2, 2}, std::vector<int32_t>{-7, 0, 255, 2147483647})}},
                           {{"model", "example"}, {"config", R"({"in":4,"out":3})"}});
  } catch (const std::exception& error) {
    fmt::print(stderr, "{}\n", error.what());
    return 1;
  }
  return 0;
}
