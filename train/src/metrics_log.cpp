#include <heed/train/metrics_log.hpp>

#include <heed/train/atomic_text.hpp>

#include <heed/error.hpp>

#include <sstream>

namespace heed::train {

MetricsLog::MetricsLog(std::filesystem::path path, int64_t step) : path_(std::move(path)) {
  if (!std::filesystem::exists(path_)) return;
  std::istringstream text(read_text(path_));
  for (std::string line; std::getline(text, line);) {
    if (line.empty()) continue;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded()) fail("{}: a line is not JSON: {}", path_.string(), line);
    if (record.value("step", int64_t{0}) <= step && !record.value("final", false)) lines_.push_back(line);
  }
}

void MetricsLog::append(const nlohmann::json& record) {
  lines_.push_back(record.dump());
  std::string text;
  for (const std::string& line : lines_) text += line + "\n";
  write_text_atomically(path_, text);
}

}  // namespace heed::train
