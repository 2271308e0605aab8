#pragma once
// metrics.jsonl: one JSON object a line, one line per evaluation. Each append rewrites the whole
// (small) file atomically, so a reader or a crash never sees half a line.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace heed::train {

class MetricsLog {
 public:
  // Reads the lines already there (a resumed run), keeping those up to `step`: an evaluation
  // logged after the checkpoint it resumes from will be logged again, identically.
  MetricsLog(std::filesystem::path path, int64_t step);
  void append(const nlohmann::json& record);

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;
};

}  // namespace heed::train
