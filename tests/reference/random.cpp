// The counter-based random ops: computed in float exactly as random_bits defines them, then
// widened, so that a backend's values can be compared bit for bit.
#include "reference.hpp"

#include <heed/backend/random_bits.hpp>

namespace heed::reference {

namespace {

template <float (*draw)(uint32_t, uint32_t, uint32_t)>
Array random(const Node& node, Inputs inputs) {
  auto counter = inputs.empty() ? 0u : static_cast<uint32_t>(static_cast<int32_t>((*inputs[0])[0]));
  Array out(f32, node.shape);
  for (int64_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(draw(node.attrs.seed, counter, static_cast<uint32_t>(i)));
  return out;
}

}  // namespace

void add_random_kernels(KernelTable& table) {
  table.add(Op::RandomUniform, random<random_bits::uniform>);
  table.add(Op::RandomNormal, random<random_bits::normal>);
  table.add(Op::RandomGumbel, random<random_bits::gumbel>);
}

}  // namespace heed::reference
