// A backend module that claims ABI version 999: the registry must refuse to use it.
#include <heed/backend/module.hpp>

namespace {

const heed::BackendModule module{999, "badabi", nullptr};

}  // namespace

HEED_BACKEND_ENTRY { return &module; }
