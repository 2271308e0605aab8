// `<program> backends`: what the registry found, what loaded, and on which device.
#include "commands.hpp"

#include <heed/backend.hpp>

#include <fmt/format.h>

namespace heed::train {

int run_backends(const std::string& program) {
  std::vector<BackendStatus> found = backends();
  if (found.empty())
    fmt::print("no backend modules were found; {} searched:\n  {}\n", program, fmt::join(backend_search_folders(), "\n  "));
  for (const BackendStatus& backend : found) {
    fmt::print("{:<8} {}\n", backend.name, backend.loaded ? "loaded" : "not loaded");
    fmt::print("  {}: {}\n", backend.loaded ? "device" : "why", backend.detail);
    if (!backend.path.empty()) fmt::print("  module: {}\n", backend.path);
  }
  return 0;
}

}  // namespace heed::train
