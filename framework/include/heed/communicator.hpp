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

}  // namespace heed
