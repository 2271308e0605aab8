#pragma once
// Where the VkPipelineCache lives between runs: $XDG_CACHE_HOME/heed (else ~/.cache/heed), one
// file per device and driver build (its pipelineCacheUUID), so start-up does not recompile every
// pipeline. The cache is an optimisation: failing to read or write it is never an error.
#include "device.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace heed::vulkan {

std::optional<std::filesystem::path> pipeline_cache_path(const DeviceInfo& device);
std::vector<std::byte> read_pipeline_cache(const std::filesystem::path& path);  // empty when absent or unreadable
// Writes to a temporary file and renames it over the old one, so readers never see half a file.
void write_pipeline_cache(const std::filesystem::path& path, const std::vector<std::byte>& data);

}  // namespace heed::vulkan
