#pragma once
// The processes a training run is: one, or the ranks of a data-parallel job that a launcher
// started (mpirun), each training on its share of every batch. Rank 0 leads: it alone prints,
// evaluates, reads and writes the run folder, and the other ranks take what it read from it.
#include <heed/backend.hpp>
#include <heed/communicator.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace heed::train {

class Job {
 public:
  Job() = default;  // one process
  explicit Job(Communicator& communicator) : communicator_(&communicator) {}
  // One process, unless the launcher's environment says otherwise (Open MPI's
  // OMPI_COMM_WORLD_SIZE); then this process joins the job through the "mpi" communicator
  // module, and a heed built without it says how to build it.
  static Job detect();

  Communicator* communicator() const { return communicator_; }  // null for one process
  int rank() const { return communicator_ ? communicator_->rank() : 0; }
  int size() const { return communicator_ ? communicator_->size() : 1; }
  bool leads() const { return rank() == 0; }
  // "" for one process, else " (rank 1 of 2)": for messages.
  std::string where() const;

  // Rank 0's text, on every rank.
  std::string share_text(std::string text) const;
  // Rank 0's values of every parameter and state, written into every rank's program.
  void share_values(Program& program, Graph& graph) const;
  // Checks that every rank's `fingerprint` of `what` is rank 0's; where one is not, every rank
  // throws a heed::Error naming the ranks that differ.
  void check_agreement(uint64_t fingerprint, std::string_view what) const;
  // After each step: the stop signal a rank received (0: none), the same answer on every rank,
  // so that all of them stop after the same step.
  int agree_on_stop(int signal) const;
  // Waits for every rank. Before a rank exits with a failure status, which makes mpirun end the
  // others: rank 0 must have saved and said why first.
  void barrier() const {
    if (communicator_) communicator_->barrier();
  }
  // Ends the job on every rank with `reason` (nothing to do for one process).
  void abort(std::string_view reason) const;

 private:
  Communicator* communicator_ = nullptr;
};

// What ranks must agree on before they train together: the graph's nodes and the bits of its
// persistent values (FNV-1a over both).
uint64_t fingerprint(Program& program, Graph& graph);
uint64_t fingerprint(std::string_view text);

}  // namespace heed::train
