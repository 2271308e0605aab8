// Collectives. The reference evaluator is one process and so one rank: an all-reduce over one
// rank gives its values. Runs over several ranks are checked against one-rank runs instead.
#include "reference.hpp"

namespace heed::reference {

namespace {

Array one_rank(const Node&, Inputs inputs) { return *inputs[0]; }

}  // namespace

void add_collective_kernels(KernelTable& table) { table.add(Op::AllReduce, one_rank); }

}  // namespace heed::reference
