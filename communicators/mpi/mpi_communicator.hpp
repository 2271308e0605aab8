#pragma once
// The ranks of an Open MPI job (mpirun) as a heed::Communicator. The sum is added in rank order,
// like the thread group's, so that a job gives the same bits on every rank and in every run.
#include <heed/communicator.hpp>

#include <mpi.h>

#include <vector>

namespace heed::mpi {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator();  // joins the job: MPI_Init_thread where nothing has initialised MPI yet
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void all_reduce_sum(std::span<float> values) override;
  void broadcast(std::span<std::byte> bytes, int root) override;
  void barrier() override;
  [[noreturn]] void abort(std::string_view reason) override;

 private:
  void check(int code, std::string_view what) const;

  MPI_Comm communicator_ = MPI_COMM_NULL;  // a duplicate of MPI_COMM_WORLD, ours alone
  int rank_ = 0, size_ = 1;
  bool initialized_here_ = false;
  // Reused between calls, so that a training step allocates nothing.
  std::vector<float> received_;
  std::vector<int> counts_, offsets_, receive_counts_, receive_offsets_;
};

}  // namespace heed::mpi
