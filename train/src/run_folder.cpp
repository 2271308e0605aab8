#include <heed/train/run_folder.hpp>

#include <heed/error.hpp>

#include <algorithm>
#include <ctime>
#include <vector>

namespace heed::train {

std::filesystem::path new_run_folder(const std::filesystem::path& runs, std::string_view model) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  std::filesystem::path folder = runs / fmt::format("{}-{}", model, stamp);
  for (int suffix = 2; std::filesystem::exists(folder); ++suffix) folder = runs / fmt::format("{}-{}-{}", model, stamp, suffix);
  return folder;
}

std::filesystem::path latest_run_folder(const std::filesystem::path& runs, std::string_view model) {
  std::vector<std::filesystem::path> candidates;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(runs, error)) {
    std::string name = entry.path().filename().string();
    bool matches = model.empty() || name.starts_with(std::string(model) + "-");
    if (matches && std::filesystem::exists(entry.path() / training_file)) candidates.push_back(entry.path());
  }
  if (candidates.empty())
    fail("--resume: no run folder{} with a {} under {}/; name the run to continue with --out DIR",
         model.empty() ? "" : fmt::format(" of {}", model), training_file, runs.string());
  // Names end in the start time, so the newest sorts last among runs of one model; across models
  // compare the times.
  auto stamp = [](const std::filesystem::path& path) {
    std::string name = path.filename().string();
    auto dash = name.find('-');
    return dash == std::string::npos ? name : name.substr(dash + 1);
  };
  return *std::max_element(candidates.begin(), candidates.end(),
                           [&](const auto& a, const auto& b) { return stamp(a) < stamp(b); });
}

}  // namespace heed::train
