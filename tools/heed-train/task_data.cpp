#include "task_data.hpp"

#include <heed/error.hpp>

namespace heed::trainer {

data::TextData load_text(const std::string& data, int64_t context, uint64_t seed) {
  data::TextOptions options{.context = context, .held_out_fraction = 0.05, .seed = seed};
  if (data.empty()) return data::TextData::fortunes(options);
  std::error_code error;
  if (std::filesystem::is_directory(data, error)) return data::TextData::fortunes(options, data);
  if (!std::filesystem::exists(data, error))
    fail("--data {}: no such file or folder; give a text file, or a folder of fortune files (the default corpus is "
         "Debian's fortunes package: apt-get install fortunes)",
         data);
  return data::TextData::from_file(data, options);
}

std::filesystem::path fashion_directory(const std::string& data) {
  return data.empty() ? std::filesystem::path(data::fashion_mnist_directory) : std::filesystem::path(data);
}

}  // namespace heed::trainer
