// The entry point of libheed-communicator-mpi.so.
#include "mpi_communicator.hpp"

#include <heed/communication/module.hpp>

#include <dlfcn.h>

namespace {

std::unique_ptr<heed::Communicator> create() {
  // Open MPI loads components of its own that look for libmpi's symbols globally; the registry
  // loads this module with its libraries local to it, so make libmpi global before MPI starts.
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&MPI_Init_thread), &info) != 0 && info.dli_fname)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  return std::make_unique<heed::mpi::MpiCommunicator>();
}

const heed::CommunicatorModule module{heed::communicator_abi_version, "mpi", &create};

}  // namespace

HEED_COMMUNICATOR_ENTRY { return &module; }
