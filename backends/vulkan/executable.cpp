#include "executable.hpp"

#include "command_recorder.hpp"
#include "kernels/fusion.hpp"
#include "kernels/lowering.hpp"
#include "vk_error.hpp"

#include <heed/communicator.hpp>
#include <heed/error.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace heed::vulkan {

namespace {

int64_t value_alignment(const DeviceInfo& device) {
  return std::max<int64_t>(arena_alignment, static_cast<int64_t>(device.limits.minStorageBufferOffsetAlignment));
}

std::string_view pool_name(Pool pool) {
  switch (pool) {
    case Pool::Arena: return "the arena";
    case Pool::Persistent: return "persistent values";
    case Pool::Input: return "inputs";
    case Pool::Constant: return "constants";
    default: return "scratch";
  }
}

std::vector<Access> accesses_of(const Dispatch& dispatch, int32_t write_group) {
  std::vector<Access> accesses;
  for (const Binding& binding : dispatch.bindings)
    accesses.push_back({binding.slot.pool, binding.slot.offset, binding.slot.offset + std::max<int64_t>(binding.slot.bytes, 4), binding.written,
                        binding.written ? write_group : -1});
  return accesses;
}

}  // namespace

VulkanExecutable::VulkanExecutable(std::shared_ptr<Context> context, const Graph& graph, const Plan& plan, const CompileOptions& options,
                                   const VulkanExecutable* source, std::span<const std::pair<NodeId, NodeId>> shared)
    : context_(std::move(context)),
      device_(context_->device),
      layout_(graph, plan, value_alignment(device_.info()), source ? &source->layout_ : nullptr, shared),
      unified_(device_.info().unified_memory) {
  if (source) pools_[static_cast<size_t>(Pool::Persistent)] = source->pools_[static_cast<size_t>(Pool::Persistent)];
  std::vector<Dispatch> dispatches;
  Lowering lowering(graph, device_.info(), layout_, dispatches, collectives_);
  Fusion fusion(graph, plan, options);
  for (size_t position = 0; position < plan.order.size(); ++position) {
    NodeId id = plan.order[position];
    const Node& node = graph.node(id);
    if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias || fusion.absorbed(position)) continue;
    if (const MaskedSoftmax* pattern = fusion.masked_softmax(position)) {
      lower_masked_softmax(lowering, node, id, *pattern);
      continue;
    }
    if (const MatmulGroup* group = fusion.matmul_group(position)) {
      lower_fused_matmul(lowering, node, *group);
      continue;
    }
    if (const AttentionGroup* group = fusion.attention_group(position)) {
      lower_attention_group(lowering, node, *group);
      continue;
    }
    if (std::optional<size_t> last = lower_pointwise_chain(lowering, fusion, plan, position)) {
      position = *last;
      continue;
    }
    LowerFunction lower = lowering_for(node.op);
    if (!lower) fail("compile: the vulkan backend has no kernel for {}", describe_node(graph, node));
    lower(lowering, node, id);
  }

  communicator_ = options.communicator;
  allocate_command_buffers(collectives_.size() + 1);
  VkDevice vk = device_.get();
  VkFenceCreateInfo fence_info{};
  fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  VkFence fence = VK_NULL_HANDLE;
  check(vkCreateFence(vk, &fence_info, nullptr, &fence), "vkCreateFence");
  fence_ = FenceHandle(vk, fence);

  create_buffers(graph, plan);
  create_descriptors(dispatches);
  record(dispatches);
  context_->pipelines.save();
  context_->instance.check_validation("compile");
}

VulkanExecutable::~VulkanExecutable() = default;

void VulkanExecutable::allocate_command_buffers(size_t segments) {
  VkDevice vk = device_.get();
  VkCommandPoolCreateInfo pool_info{};
  pool_info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = device_.info().queue_family;
  VkCommandPool command_pool = VK_NULL_HANDLE;
  check(vkCreateCommandPool(vk, &pool_info, nullptr, &command_pool), "vkCreateCommandPool");
  command_pool_ = CommandPoolHandle(vk, command_pool);
  std::vector<VkCommandBuffer> buffers(segments + 1);
  VkCommandBufferAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  allocate.commandPool = command_pool;
  allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocate.commandBufferCount = static_cast<uint32_t>(buffers.size());
  check(vkAllocateCommandBuffers(vk, &allocate, buffers.data()), "vkAllocateCommandBuffers");
  spare_ = buffers.back();
  buffers.pop_back();
  segments_ = std::move(buffers);
  int64_t staging = 0;
  for (const HostCollective& collective : collectives_) staging = std::max(staging, collective.input.bytes);
  if (staging > 0) collective_staging_ = Buffer(device_, staging, MemoryUse::Readback, "collective staging");
}

void VulkanExecutable::create_buffers(const Graph& graph, const Plan& plan) {
  // Padding past the last value: a binding's range is rounded to whole words and at least one.
  int64_t padding = layout_.alignment();
  for (size_t i = 0; i < pool_count; ++i) {
    auto which = static_cast<Pool>(i);
    if (!pools_[i]) pools_[i] = std::make_shared<Buffer>(device_, layout_.pool_bytes(which) + padding, MemoryUse::Device, pool_name(which));
  }
  bool shares_persistent = layout_.shares_persistent();
  if (!unified_) {
    if (layout_.pool_bytes(Pool::Input) > 0) input_staging_ = Buffer(device_, layout_.pool_bytes(Pool::Input), MemoryUse::Upload, "input staging");
    int64_t staged = 0;
    for (NodeId id : graph.outputs()) {
      if (plan.values[static_cast<size_t>(id)].storage == Storage::None) continue;
      Slot slot = layout_.value(id);
      if (slot.pool != Pool::Arena || staged_outputs_.contains(id)) continue;  // others may change between runs: read on demand
      staged_outputs_[id] = staged;
      staged += (std::max<int64_t>(slot.bytes, 4) + 63) / 64 * 64;
    }
    if (staged > 0) output_staging_ = Buffer(device_, staged, MemoryUse::Readback, "output staging");
  }

  // Initial contents of the persistent and constant pools (the zero word and the fused chains'
  // programs included), uploaded once.
  for (Pool which : {Pool::Persistent, Pool::Constant}) {
    if (which == Pool::Persistent && shares_persistent) continue;  // the source's values stand
    std::vector<std::byte> image(static_cast<size_t>(pool(which).size()), std::byte{0});
    for (NodeId id = 0; id < graph.size(); ++id) {
      const Node& node = graph.node(id);
      Storage storage = plan.values[static_cast<size_t>(id)].storage;
      if (!node.value || (storage != Storage::Persistent && storage != Storage::Constant)) continue;
      Slot slot = layout_.value(id);
      if (slot.pool != which) continue;
      if (node.value->bytes() != slot.bytes)
        fail("compile: {} holds {} bytes of values for a value of {} bytes", describe(Tensor(const_cast<Graph*>(&graph), id)),
             node.value->bytes(), slot.bytes);
      std::memcpy(image.data() + slot.offset, node.value->data(), static_cast<size_t>(slot.bytes));
    }
    if (which == Pool::Constant)
      for (const auto& [slot, words] : layout_.words()) std::memcpy(image.data() + slot.offset, words.data(), words.size() * 4);
    upload(Slot{which, 0, static_cast<int64_t>(image.size())}, image.data());
  }
}

void VulkanExecutable::create_descriptors(std::vector<Dispatch>& dispatches) {
  if (dispatches.empty()) return;
  VkDevice vk = device_.get();
  uint32_t descriptors = 0;
  std::vector<VkDescriptorSetLayout> set_layouts;
  for (const Dispatch& dispatch : dispatches) {
    descriptors += static_cast<uint32_t>(dispatch.bindings.size());
    set_layouts.push_back(context_->pipelines.set_layout(static_cast<uint32_t>(dispatch.bindings.size())));
  }
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptors};
  VkDescriptorPoolCreateInfo pool_info{};
  pool_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
  pool_info.maxSets = static_cast<uint32_t>(dispatches.size());
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &size;
  VkDescriptorPool descriptor_pool = VK_NULL_HANDLE;
  check(vkCreateDescriptorPool(vk, &pool_info, nullptr, &descriptor_pool), "vkCreateDescriptorPool");
  descriptor_pool_ = DescriptorPoolHandle(vk, descriptor_pool);

  sets_.resize(dispatches.size());
  VkDescriptorSetAllocateInfo allocate{};
  allocate.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  allocate.descriptorPool = descriptor_pool;
  allocate.descriptorSetCount = static_cast<uint32_t>(set_layouts.size());
  allocate.pSetLayouts = set_layouts.data();
  check(vkAllocateDescriptorSets(vk, &allocate, sets_.data()), "vkAllocateDescriptorSets");

  // A storage-buffer descriptor must start at a multiple of minStorageBufferOffsetAlignment;
  // arena offsets are only 64-aligned, so each binding starts at the aligned offset below its
  // value and the shader adds the difference (push word i, in elements).
  const auto align = static_cast<int64_t>(std::max<VkDeviceSize>(device_.info().limits.minStorageBufferOffsetAlignment, 4));
  const auto max_range = static_cast<int64_t>(device_.info().limits.maxStorageBufferRange);
  std::vector<VkDescriptorBufferInfo> infos;
  infos.reserve(descriptors);
  std::vector<VkWriteDescriptorSet> writes;
  for (size_t d = 0; d < dispatches.size(); ++d) {
    Dispatch& dispatch = dispatches[d];
    for (size_t b = 0; b < dispatch.bindings.size(); ++b) {
      const Slot& slot = dispatch.bindings[b].slot;
      int64_t start = slot.offset / align * align;
      int64_t range = slot.offset + std::max<int64_t>(slot.bytes, 4) - start;
      range = (range + 3) / 4 * 4;
      if (range > max_range)
        fail("compile: a value of {} bytes exceeds the device's storage buffer range of {} bytes", slot.bytes, max_range);
      dispatch.push.at(b) = static_cast<uint32_t>((slot.offset - start) / 4);
      infos.push_back({pool(slot.pool).get(), static_cast<VkDeviceSize>(start), static_cast<VkDeviceSize>(range)});
      VkWriteDescriptorSet write{};
      write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
      write.dstSet = sets_[d];
      write.dstBinding = static_cast<uint32_t>(b);
      write.descriptorCount = 1;
      write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      write.pBufferInfo = &infos.back();
      writes.push_back(write);
    }
    if (dispatch.push.size() * 4 > push_constant_bytes)
      fail("compile: {} takes {} bytes of push constants, more than {} (internal error)", shader_name(dispatch.shader),
           dispatch.push.size() * 4, push_constant_bytes);
  }
  vkUpdateDescriptorSets(vk, static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
}

void VulkanExecutable::record(const std::vector<Dispatch>& dispatches) {
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  constexpr VkPipelineStageFlags work = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  constexpr VkAccessFlags writes = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  constexpr VkAccessFlags any_access =
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  size_t segment = 0;
  int64_t barriers = 0;
  dispatches_ = 0;
  check(vkBeginCommandBuffer(segments_[segment], &begin), "vkBeginCommandBuffer");
  std::optional<CommandRecorder> recorder(std::in_place, segments_[segment]);
  // The previous run's writes (and one-off copies) must land before this run reads: a barrier's
  // first scope reaches back over earlier submissions on the queue.
  recorder->barrier(work, writes, work, any_access);
  if (input_staging_.get()) {
    VkBufferCopy region{0, 0, static_cast<VkDeviceSize>(layout_.pool_bytes(Pool::Input))};
    recorder->copy(input_staging_.get(), pool(Pool::Input).get(), {&region, 1});
    recorder->barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                      VK_ACCESS_SHADER_READ_BIT);
  }
  for (size_t d = 0; d <= dispatches.size(); ++d) {
    // A collective: its values go to host memory at the end of this command buffer, and come
    // back, reduced, at the start of the next.
    while (segment < collectives_.size() && collectives_[segment].position == d) {
      const HostCollective& collective = collectives_[segment];
      recorder->barrier(work, writes, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
      VkBufferCopy out{static_cast<VkDeviceSize>(collective.input.offset), 0, static_cast<VkDeviceSize>(collective.input.bytes)};
      recorder->copy(pool(collective.input.pool).get(), collective_staging_.get(), {&out, 1});
      recorder->barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
      dispatches_ += recorder->dispatches();
      barriers += recorder->barriers();
      check(vkEndCommandBuffer(segments_[segment]), "vkEndCommandBuffer");
      ++segment;
      check(vkBeginCommandBuffer(segments_[segment], &begin), "vkBeginCommandBuffer");
      recorder.emplace(segments_[segment]);
      // The host's writes to the staging memory are made visible by the submission itself.
      recorder->barrier(work, writes, work, any_access);
      VkBufferCopy back{0, static_cast<VkDeviceSize>(collective.output.offset), static_cast<VkDeviceSize>(collective.output.bytes)};
      recorder->copy(collective_staging_.get(), pool(collective.output.pool).get(), {&back, 1});
      recorder->barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, work, any_access);
    }
    if (d == dispatches.size()) break;
    const Dispatch& dispatch = dispatches[d];
    auto bindings = static_cast<uint32_t>(dispatch.bindings.size());
    VkPipeline pipeline = context_->pipelines.pipeline(dispatch.shader, dispatch.specialization, bindings);
    // Parts of one node's output (a concat) are disjoint: their writes need no barrier between them.
    std::vector<Access> accesses = accesses_of(dispatch, dispatch.write_group);
    recorder->dispatch(pipeline, context_->pipelines.layout(bindings), sets_[d], dispatch.push, dispatch.groups, accesses);
  }
  recorder->barrier(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT);
  if (!staged_outputs_.empty()) {
    std::vector<VkBufferCopy> regions;
    for (const auto& [id, offset] : staged_outputs_) {
      Slot slot = layout_.value(id);
      regions.push_back({static_cast<VkDeviceSize>(slot.offset), static_cast<VkDeviceSize>(offset),
                         static_cast<VkDeviceSize>(std::max<int64_t>(slot.bytes, 4))});
    }
    recorder->copy(pool(Pool::Arena).get(), output_staging_.get(), regions);
    recorder->barrier(VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  }
  check(vkEndCommandBuffer(segments_[segment]), "vkEndCommandBuffer");
  dispatches_ += recorder->dispatches();
  barriers += recorder->barriers();
  if (const char* verbose = std::getenv("HEED_VULKAN_VERBOSE"); verbose && *verbose && *verbose != '0')
    fmt::print(stderr, "heed vulkan: compiled {} dispatches with {} barriers in {} command buffers; pools {} / {} / {} / {} / {} bytes\n",
               dispatches_, barriers, segments_.size(), layout_.pool_bytes(Pool::Arena), layout_.pool_bytes(Pool::Persistent),
               layout_.pool_bytes(Pool::Input), layout_.pool_bytes(Pool::Constant), layout_.pool_bytes(Pool::Scratch));
}

void VulkanExecutable::submit_and_wait(VkCommandBuffer commands, std::string_view what) {
  VkFence fence = fence_.get();
  device_.submit(commands, fence);
  ++submissions_;
  VkResult waited = vkWaitForFences(device_.get(), 1, &fence, VK_TRUE, UINT64_MAX);
  check(waited, fmt::format("vkWaitForFences ({})", what));
  check(vkResetFences(device_.get(), 1, &fence), "vkResetFences");
}

void VulkanExecutable::submit_once(const std::function<void(VkCommandBuffer)>& commands) {
  check(vkResetCommandBuffer(spare_, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check(vkBeginCommandBuffer(spare_, &begin), "vkBeginCommandBuffer");
  // Earlier runs' writes first; the copies' results then reach the host and later runs.
  VkMemoryBarrier before{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT};
  vkCmdPipelineBarrier(spare_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                       &before, 0, nullptr, 0, nullptr);
  commands(spare_);
  VkMemoryBarrier after{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(spare_, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &after, 0, nullptr, 0, nullptr);
  check(vkEndCommandBuffer(spare_), "vkEndCommandBuffer");
  submit_and_wait(spare_, "a copy");
}

void VulkanExecutable::upload(Slot slot, const void* source) {
  if (slot.bytes == 0) return;
  const Buffer& target = pool(slot.pool);
  if (target.mapped()) {
    std::memcpy(target.mapped() + slot.offset, source, static_cast<size_t>(slot.bytes));
    return;
  }
  Buffer staging(device_, slot.bytes, MemoryUse::Upload, "upload staging");
  std::memcpy(staging.mapped(), source, static_cast<size_t>(slot.bytes));
  submit_once([&](VkCommandBuffer commands) {
    VkBufferCopy region{0, static_cast<VkDeviceSize>(slot.offset), static_cast<VkDeviceSize>(slot.bytes)};
    vkCmdCopyBuffer(commands, staging.get(), target.get(), 1, &region);
  });
}

void VulkanExecutable::download(Slot slot, void* destination) {
  if (slot.bytes == 0) return;
  const Buffer& source = pool(slot.pool);
  if (source.mapped()) {
    std::memcpy(destination, source.mapped() + slot.offset, static_cast<size_t>(slot.bytes));
    return;
  }
  Buffer staging(device_, slot.bytes, MemoryUse::Readback, "readback staging");
  submit_once([&](VkCommandBuffer commands) {
    VkBufferCopy region{static_cast<VkDeviceSize>(slot.offset), 0, static_cast<VkDeviceSize>(slot.bytes)};
    vkCmdCopyBuffer(commands, source.get(), staging.get(), 1, &region);
  });
  std::memcpy(destination, staging.mapped(), static_cast<size_t>(slot.bytes));
}

void VulkanExecutable::run(std::span<const std::pair<NodeId, HostView>> inputs) {
  std::byte* target = unified_ ? pool(Pool::Input).mapped() : input_staging_.mapped();
  for (const auto& [id, values] : inputs) {
    Slot slot = layout_.value(id);
    if (slot.bytes > 0) std::memcpy(target + slot.offset, values.data, static_cast<size_t>(slot.bytes));
  }
  submit_and_wait(segments_[0], "run");
  for (size_t i = 0; i < collectives_.size(); ++i) {
    if (communicator_) {
      auto* values = reinterpret_cast<float*>(collective_staging_.mapped());
      communicator_->all_reduce_sum({values, static_cast<size_t>(collectives_[i].input.bytes / 4)});
    }
    submit_and_wait(segments_[i + 1], "run");
  }
  context_->instance.check_validation("run");
}

void VulkanExecutable::read(NodeId id, void* destination) {
  Slot slot = layout_.value(id);
  if (auto staged = staged_outputs_.find(id); staged != staged_outputs_.end()) {
    std::memcpy(destination, output_staging_.mapped() + staged->second, static_cast<size_t>(slot.bytes));
  } else {
    download(slot, destination);
  }
  context_->instance.check_validation("read");
}

void VulkanExecutable::write(NodeId id, const void* source) {
  upload(layout_.value(id), source);
  context_->instance.check_validation("write");
}

}  // namespace heed::vulkan
