#pragma once
// What a backend and all its programs share: the instance, the device and the pipelines, in the
// order they must be created (and, reversed, destroyed). Programs hold a shared_ptr to it, so a
// program outliving its backend object still has its device.
#include "device.hpp"
#include "instance.hpp"
#include "pipelines.hpp"

namespace heed::vulkan {

struct Context {
  Instance instance;
  Device device{instance};
  PipelineStore pipelines{device};
};

}  // namespace heed::vulkan
