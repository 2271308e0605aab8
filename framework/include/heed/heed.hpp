#pragma once
// Everything a user of heed needs: graphs, ops, autodiff, optimisers, nn modules, backends,
// checkpoints, and the communicator of a data-parallel job.
#include <heed/autodiff.hpp>
#include <heed/backend.hpp>
#include <heed/checkpoint.hpp>
#include <heed/communicator.hpp>
#include <heed/data_parallel.hpp>
#include <heed/error.hpp>
#include <heed/graph.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>
#include <heed/optim.hpp>
#include <heed/precision.hpp>
