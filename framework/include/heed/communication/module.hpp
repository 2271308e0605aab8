#pragma once
// What a communicator module implements (libheed-communicator-<name>.so, found where the backend
// modules are): one C entry point, heed_communicator_entry, that returns this.
#include <heed/communicator.hpp>

#include <cstdint>
#include <memory>

namespace heed {

inline constexpr uint32_t communicator_abi_version = 1;

struct CommunicatorModule {
  uint32_t abi_version;
  const char* name;
  // Joins the job its launcher started (mpirun, say) as this process's rank; throws heed::Error
  // when it cannot. Called at most once per process.
  std::unique_ptr<Communicator> (*create)();
};

}  // namespace heed

#define HEED_COMMUNICATOR_ENTRY \
  extern "C" __attribute__((visibility("default"))) const heed::CommunicatorModule* heed_communicator_entry()
