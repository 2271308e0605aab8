#include "pipelines.hpp"

#include "pipeline_cache_file.hpp"
#include "vk_error.hpp"

#include <heed/error.hpp>

namespace heed::vulkan {

PipelineStore::PipelineStore(const Device& device) : device_(device) {
  VkDevice vk = device.get();
  std::vector<std::byte> initial;
  if (auto path = pipeline_cache_path(device.info())) initial = read_pipeline_cache(*path);
  VkPipelineCacheCreateInfo cache_info{};
  cache_info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO;
  cache_info.initialDataSize = initial.size();
  cache_info.pInitialData = initial.empty() ? nullptr : initial.data();
  VkPipelineCache cache = VK_NULL_HANDLE;
  // A driver rejects data from another build by ignoring it; an error here means the file is
  // unusable, so start empty rather than fail.
  if (vkCreatePipelineCache(vk, &cache_info, nullptr, &cache) != VK_SUCCESS) {
    cache_info.initialDataSize = 0;
    cache_info.pInitialData = nullptr;
    check(vkCreatePipelineCache(vk, &cache_info, nullptr, &cache), "vkCreatePipelineCache");
  }
  cache_ = PipelineCacheHandle(vk, cache);

  for (uint32_t count = 1; count <= max_bindings; ++count) {
    std::vector<VkDescriptorSetLayoutBinding> bindings(count);
    for (uint32_t i = 0; i < count; ++i) {
      bindings[i].binding = i;
      bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      bindings[i].descriptorCount = 1;
      bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo set_info{};
    set_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    set_info.bindingCount = count;
    set_info.pBindings = bindings.data();
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    check(vkCreateDescriptorSetLayout(vk, &set_info, nullptr, &set_layout), "vkCreateDescriptorSetLayout");
    set_layouts_[count] = DescriptorSetLayoutHandle(vk, set_layout);

    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_constant_bytes};
    VkPipelineLayoutCreateInfo layout_info{};
    layout_info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &set_layout;
    layout_info.pushConstantRangeCount = 1;
    layout_info.pPushConstantRanges = &push;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    check(vkCreatePipelineLayout(vk, &layout_info, nullptr, &layout), "vkCreatePipelineLayout");
    layouts_[count] = PipelineLayoutHandle(vk, layout);
  }
}

PipelineStore::~PipelineStore() { save(); }

VkShaderModule PipelineStore::module(Shader shader) {
  auto& slot = modules_[static_cast<size_t>(shader)];
  if (!slot) {
    std::span<const uint32_t> code = spirv(shader, {device_.info().subgroup_arithmetic, device_.info().float64});
    VkShaderModuleCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    info.codeSize = code.size_bytes();
    info.pCode = code.data();
    VkShaderModule made = VK_NULL_HANDLE;
    check(vkCreateShaderModule(device_.get(), &info, nullptr, &made), fmt::format("vkCreateShaderModule ({})", shader_name(shader)));
    slot = ShaderModuleHandle(device_.get(), made);
  }
  return slot.get();
}

VkPipeline PipelineStore::pipeline(Shader shader, std::span<const uint32_t> specialization, uint32_t bindings) {
  if (bindings == 0 || bindings > max_bindings) fail("Vulkan: shader {} binds {} buffers, at most {} are supported", shader_name(shader), bindings, max_bindings);
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(shader, std::vector<uint32_t>(specialization.begin(), specialization.end()));
  if (auto found = pipelines_.find(key); found != pipelines_.end()) return found->second.get();

  std::vector<VkSpecializationMapEntry> entries(specialization.size());
  for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * 4, 4};
  VkSpecializationInfo spec{};
  spec.mapEntryCount = static_cast<uint32_t>(entries.size());
  spec.pMapEntries = entries.data();
  spec.dataSize = specialization.size_bytes();
  spec.pData = specialization.data();

  VkComputePipelineCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
  info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module(shader);
  info.stage.pName = "main";
  info.stage.pSpecializationInfo = &spec;
  info.layout = layouts_.at(bindings).get();
  VkPipeline made = VK_NULL_HANDLE;
  check(vkCreateComputePipelines(device_.get(), cache_.get(), 1, &info, nullptr, &made),
        fmt::format("vkCreateComputePipelines ({} [{}])", shader_name(shader), fmt::join(specialization, ", ")));
  unsaved_ = true;
  return pipelines_.emplace(std::move(key), PipelineHandle(device_.get(), made)).first->second.get();
}

void PipelineStore::save() {
  std::lock_guard lock(mutex_);
  if (!unsaved_) return;
  unsaved_ = false;
  auto path = pipeline_cache_path(device_.info());
  if (!path) return;
  size_t size = 0;
  if (vkGetPipelineCacheData(device_.get(), cache_.get(), &size, nullptr) != VK_SUCCESS || size == 0) return;
  std::vector<std::byte> data(size);
  if (vkGetPipelineCacheData(device_.get(), cache_.get(), &size, data.data()) != VK_SUCCESS) return;
  data.resize(size);
  write_pipeline_cache(*path, data);
}

}  // namespace heed::vulkan
