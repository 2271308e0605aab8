#pragma once
// Reverse-mode differentiation as a graph transformation: grad() appends the backward nodes of
// `loss` (a scalar, or any tensor with an explicit seed) to the same graph and returns one
// gradient per `wrt` tensor, with its shape. A tensor the loss does not depend on gets zeros.
#include <heed/graph.hpp>

namespace heed {

std::vector<Tensor> grad(Tensor loss, const std::vector<Tensor>& wrt, Tensor seed = {});

}  // namespace heed
