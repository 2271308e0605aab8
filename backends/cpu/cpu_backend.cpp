// The module's entry point and the Backend it creates.
#include "program.hpp"

#include <heed/backend/module.hpp>

#include <fstream>
#include <string>

namespace heed::cpu {

namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.starts_with("model name")) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown CPU";
}

std::string_view isa_name(dnnl::cpu_isa isa) {
  using dnnl::cpu_isa;
  switch (isa) {
    case cpu_isa::sse41: return "sse4.1";
    case cpu_isa::avx: return "avx";
    case cpu_isa::avx2: return "avx2";
    case cpu_isa::avx2_vnni: return "avx2_vnni";
    case cpu_isa::avx512_core: return "avx512_core";
    case cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "generic";
  }
}

class CpuBackend final : public Backend {
 public:
  std::string name() const override { return "cpu"; }

  std::string device() const override {
    std::string threads;
    try {
      threads = fmt::format("{} threads", resolve_threads(0));
    } catch (const Error& error) {
      threads = error.what();  // a bad HEED_THREADS: say so here rather than fail a listing
    }
    return fmt::format("{} (oneDNN {}.{}.{}, {}, {})", cpu_model(), dnnl_version()->major, dnnl_version()->minor, dnnl_version()->patch,
                       isa_name(dnnl::get_effective_cpu_isa()), threads);
  }

  bool supports(Op op) const override { return has_kernel(op); }
  bool supports(DType) const override { return true; }

 protected:
  std::unique_ptr<Executable> compile_plan(const Graph& graph, const Plan& plan, const CompileOptions& options,
                                           const SharedPersistentValues& shared) override {
    const CpuProgram* source = nullptr;
    if (shared.source) {
      source = dynamic_cast<const CpuProgram*>(shared.source);
      if (!source) fail("compile: share_persistent_values names a program of another backend; the cpu backend shares only its own");
    }
    return std::make_unique<CpuProgram>(graph, plan, options, source, shared.values);
  }
};

std::shared_ptr<Backend> create() { return std::make_shared<CpuBackend>(); }

}  // namespace

}  // namespace heed::cpu

HEED_BACKEND_ENTRY {
  static const heed::BackendModule module{heed::backend_abi_version, "cpu", &heed::cpu::create};
  return &module;
}
