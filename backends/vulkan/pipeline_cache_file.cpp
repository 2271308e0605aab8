#include "pipeline_cache_file.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace heed::vulkan {

namespace fs = std::filesystem;

std::optional<fs::path> pipeline_cache_path(const DeviceInfo& device) {
  fs::path folder;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) folder = fs::path(xdg) / "heed";
  else if (const char* home = std::getenv("HOME"); home && *home) folder = fs::path(home) / ".cache" / "heed";
  else return std::nullopt;
  std::string uuid;
  for (uint8_t byte : device.pipeline_cache_uuid) uuid += fmt::format("{:02x}", byte);
  return folder / fmt::format("vulkan-pipelines-{:04x}-{:04x}-{}.bin", device.vendor_id, device.device_id, uuid);
}

std::vector<std::byte> read_pipeline_cache(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return {};
  std::error_code error;
  auto size = fs::file_size(path, error);
  if (error || size > (256u << 20)) return {};
  std::vector<std::byte> data(size);
  if (!file.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size))) return {};
  return data;
}

void write_pipeline_cache(const fs::path& path, const std::vector<std::byte>& data) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) return;
  fs::path temporary = path;
  temporary += fmt::format(".{}.tmp", static_cast<long>(getpid()));
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file) return;
    file.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!file) {
      file.close();
      fs::remove(temporary, error);
      return;
    }
  }
  fs::rename(temporary, path, error);
  if (error) fs::remove(temporary, error);
}

}  // namespace heed::vulkan
