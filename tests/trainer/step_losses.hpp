#pragma once
// The "step N/M loss X" lines of heed-train's plain progress output, by step, as printed.
// (std::regex is avoided: GCC 12 warns inside it under the sanitizers, and warnings are errors.)
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

namespace trainer_test {

inline std::map<int, std::string> step_losses(const std::string& err) {
  std::map<int, std::string> losses;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    int step = 0, total = 0;
    char loss[64] = {};
    if (std::sscanf(line.c_str(), "step %d/%d loss %63s", &step, &total, loss) == 3) losses[step] = loss;
  }
  return losses;
}

}  // namespace trainer_test
