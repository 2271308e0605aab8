#pragma once
// Everything a user of heed needs: graphs, ops, autodiff, optimisers, nn modules, backends,
// checkpoints.
#include <heed/autodiff.hpp>
#include <heed/backend.hpp>
#include <heed/checkpoint.hpp>
#include <heed/error.hpp>
#include <heed/graph.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>
#include <heed/optim.hpp>
