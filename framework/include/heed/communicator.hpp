#pragma once
// The ranks of one data-parallel job and the collectives between them (DESIGN.md, decision 12).
// The core defines the interface; a module implements it across processes and machines, and
// thread_group() runs the ranks as threads of one process, for tests and the sanitizers. Every
// rank calls the same collectives in the same order with buffers of the same size.
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace heed {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // The element-wise sum over the ranks, in place on every rank, added in rank order, so that
  // every rank and every run get the same bits.
  virtual void all_reduce_sum(std::span<float> values) = 0;
  // Rank `root`'s bytes, in place on every rank.
  virtual void broadcast(std::span<std::byte> bytes, int root) = 0;
  virtual void barrier() = 0;
  // Ends the job on every rank, naming this rank and the reason; never returns to the caller.
  [[noreturn]] virtual void abort(std::string_view reason) = 0;
};

// `size` ranks as threads of this process: element i is rank i, for one thread to use. A rank
// that aborts, or collectives that do not match (other sizes or roots), make every rank's
// collective throw heed::Error naming the rank and the reason, never wait forever.
std::vector<std::unique_ptr<Communicator>> thread_group(int size);

// This process's rank of the job a launcher started, through the communicator module `name`
// (libheed-communicator-<name>.so; "mpi" runs on Open MPI under mpirun). The module is found
// where the backends are and joins the job once; every later call returns the same
// communicator, which lives until the process exits. A heed::Error says why there is none: no
// such module (it is built only where its library was found), or the job could not be joined.
Communicator& join_job(std::string_view name);

}  // namespace heed
