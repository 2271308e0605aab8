#pragma once
// A compiled program on Vulkan. compile (the constructor) does all the work that can be done
// once: buffers for the plan's pools, initial values uploaded, a pipeline and a descriptor set
// per dispatch, and one command buffer recording the whole schedule. run() then copies the
// inputs in, submits that command buffer once and waits on a fence. A program with collectives
// (AllReduce) records one command buffer more per collective: the host reduces between them.
#include "buffers.hpp"
#include "context.hpp"
#include "kernels/dispatch.hpp"

#include <heed/backend/module.hpp>

#include <functional>
#include <map>
#include <memory>

namespace heed::vulkan {

class VulkanExecutable final : public Executable {
 public:
  // With a source, the persistent values paired in `shared` (new node, source node) live in the
  // source's persistent pool, at its offsets; the core has paired every one of them.
  VulkanExecutable(std::shared_ptr<Context> context, const Graph& graph, const Plan& plan, const CompileOptions& options,
                   const VulkanExecutable* source = nullptr,
                   std::span<const std::pair<NodeId, NodeId>> shared = {});
  ~VulkanExecutable() override;
  bool runs_on(const Context& context) const { return context_.get() == &context; }

  void run(std::span<const std::pair<NodeId, HostView>> inputs) override;
  void read(NodeId id, void* destination) override;
  void write(NodeId id, const void* source) override;
  int64_t submissions() const override { return submissions_; }
  int64_t kernels() const override { return dispatches_; }

 private:
  void create_buffers(const Graph& graph, const Plan& plan);
  void create_descriptors(std::vector<Dispatch>& dispatches);
  void record(const std::vector<Dispatch>& dispatches);
  void allocate_command_buffers(size_t count);
  const Buffer& pool(Pool which) const { return *pools_[static_cast<size_t>(which)]; }
  // Records commands into the spare command buffer, submits them and waits.
  void submit_once(const std::function<void(VkCommandBuffer)>& commands);
  void submit_and_wait(VkCommandBuffer commands, std::string_view what);
  void upload(Slot slot, const void* source);
  void download(Slot slot, void* destination);

  std::shared_ptr<Context> context_;
  const Device& device_;
  std::string name_;  // for messages: "a program of N nodes"
  MemoryLayout layout_;
  // Held jointly: the persistent pool may be shared with programs compiled after this one.
  std::array<std::shared_ptr<Buffer>, pool_count> pools_;
  Buffer input_staging_;   // mirrors the input pool where the device cannot be written directly
  Buffer output_staging_;  // outputs copied here at the end of each run, likewise
  std::map<NodeId, int64_t> staged_outputs_;  // output -> offset in output_staging_
  DescriptorPoolHandle descriptor_pool_;
  std::vector<VkDescriptorSet> sets_;  // one per dispatch, freed with the pool
  CommandPoolHandle command_pool_;
  std::vector<VkCommandBuffer> segments_;      // the whole schedule, split at each host collective
  std::vector<HostCollective> collectives_;     // collectives_[i] runs between segments_[i] and [i + 1]
  Buffer collective_staging_;                   // where the host reduces a collective's values
  Communicator* communicator_ = nullptr;        // null: one rank, the values pass unchanged
  VkCommandBuffer spare_ = VK_NULL_HANDLE;     // one-off copies (uploads, reads of persistent values)
  FenceHandle fence_;
  int64_t submissions_ = 0;
  int64_t dispatches_ = 0;  // recorded in segments_: what one run dispatches
  bool unified_ = false;
};

}  // namespace heed::vulkan
