// The Vulkan backend as a heed plugin: the one C entry point and the Backend it creates.
#include "context.hpp"
#include "executable.hpp"
#include "kernels/lowering.hpp"

#include <heed/backend/module.hpp>
#include <heed/error.hpp>

namespace heed::vulkan {

namespace {

class VulkanBackend final : public Backend {
 public:
  VulkanBackend() : context_(std::make_shared<Context>()) { context_->instance.check_validation("start-up"); }

  std::string name() const override { return "vulkan"; }
  std::string device() const override {
    return context_->device.info().describe() + (context_->instance.validation() ? " [validation layer on]" : "");
  }
  bool supports(Op op) const override { return lowering_for(op) != nullptr; }
  // 16-bit storage comes to the shaders later: until then such a graph is refused at compile.
  bool supports(DType dtype) const override { return dtype == f32 || dtype == i32; }

 protected:
  std::unique_ptr<Executable> compile_plan(const Graph& graph, const Plan& plan, const CompileOptions& options,
                                           const SharedPersistentValues& shared) override {
    const VulkanExecutable* source = nullptr;
    if (shared.source) {
      source = dynamic_cast<const VulkanExecutable*>(shared.source);
      if (!source || !source->runs_on(*context_))
        fail("compile: share_persistent_values names a program of another backend or device; the vulkan backend shares only "
             "its own");
    }
    return std::make_unique<VulkanExecutable>(context_, graph, plan, options, source, shared.values);
  }

 private:
  std::shared_ptr<Context> context_;
};

std::shared_ptr<Backend> create() { return std::make_shared<VulkanBackend>(); }

constexpr BackendModule module_info{backend_abi_version, "vulkan", create};

}  // namespace

}  // namespace heed::vulkan

HEED_BACKEND_ENTRY { return &heed::vulkan::module_info; }
