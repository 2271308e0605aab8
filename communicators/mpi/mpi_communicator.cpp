#include "mpi_communicator.hpp"

#include <heed/error.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace heed::mpi {

MpiCommunicator::MpiCommunicator() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Collectives come from one thread at a time (the one running the program), never from two.
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      fail("MPI: MPI_Init_thread failed; is this process started by mpirun?");
    initialized_here_ = true;
  }
  // Errors come back as codes, which become heed::Error, instead of ending the process unexplained.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_dup(MPI_COMM_WORLD, &communicator_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(communicator_, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(communicator_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(communicator_, &size_), "MPI_Comm_size");
  counts_.resize(static_cast<size_t>(size_));
  offsets_.resize(static_cast<size_t>(size_));
  receive_counts_.resize(static_cast<size_t>(size_));
  receive_offsets_.resize(static_cast<size_t>(size_));
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  MPI_Comm_free(&communicator_);
  if (initialized_here_) MPI_Finalize();
}

void MpiCommunicator::check(int code, std::string_view what) const {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  fail("MPI: {} failed on rank {} of {}: {}", what, rank_, size_, std::string_view(text, static_cast<size_t>(length)));
}

// Each rank sums one slice of the values, taking every rank's copy of that slice in rank order
// (an all-to-all), then every rank gathers all the sums: the bandwidth of a ring all-reduce, and
// an order of addition that does not depend on how MPI would pair the ranks.
void MpiCommunicator::all_reduce_sum(std::span<float> values) {
  if (size_ == 1 || values.empty()) return;
  if (values.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    fail("MPI: an all-reduce of {} values is more than one MPI call takes ({})", values.size(), std::numeric_limits<int>::max());
  const auto total = static_cast<int64_t>(values.size());
  for (int r = 0; r < size_; ++r) {
    auto begin = static_cast<int>(total * r / size_), end = static_cast<int>(total * (r + 1) / size_);
    offsets_[static_cast<size_t>(r)] = begin;
    counts_[static_cast<size_t>(r)] = end - begin;
  }
  const int mine = counts_[static_cast<size_t>(rank_)];
  for (int r = 0; r < size_; ++r) {
    receive_counts_[static_cast<size_t>(r)] = mine;
    receive_offsets_[static_cast<size_t>(r)] = mine * r;
  }
  received_.resize(static_cast<size_t>(mine) * static_cast<size_t>(size_));
  check(MPI_Alltoallv(values.data(), counts_.data(), offsets_.data(), MPI_FLOAT, received_.data(), receive_counts_.data(),
                      receive_offsets_.data(), MPI_FLOAT, communicator_),
        "MPI_Alltoallv (the all-reduce's exchange)");
  float* slice = values.data() + offsets_[static_cast<size_t>(rank_)];
  for (int i = 0; i < mine; ++i) {
    float sum = received_[static_cast<size_t>(i)];
    for (int r = 1; r < size_; ++r) sum += received_[static_cast<size_t>(r) * static_cast<size_t>(mine) + static_cast<size_t>(i)];
    slice[i] = sum;
  }
  check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values.data(), counts_.data(), offsets_.data(), MPI_FLOAT, communicator_),
        "MPI_Allgatherv (the all-reduce's gather)");
}

void MpiCommunicator::broadcast(std::span<std::byte> bytes, int root) {
  if (root < 0 || root >= size_) fail("MPI: a broadcast from rank {} in a job of {} ranks", root, size_);
  // In pieces an int counts.
  constexpr size_t piece = size_t{1} << 30;
  for (size_t start = 0; start < bytes.size(); start += piece) {
    size_t length = std::min(piece, bytes.size() - start);
    check(MPI_Bcast(bytes.data() + start, static_cast<int>(length), MPI_BYTE, root, communicator_), "MPI_Bcast");
  }
}

void MpiCommunicator::barrier() { check(MPI_Barrier(communicator_), "MPI_Barrier"); }

void MpiCommunicator::abort(std::string_view reason) {
  fmt::print(stderr, "rank {} stopped the job: {}\n", rank_, reason);
  std::fflush(stderr);
  MPI_Abort(communicator_ == MPI_COMM_NULL ? MPI_COMM_WORLD : communicator_, 1);
  std::abort();  // MPI_Abort does not return; this tells the compiler so
}

}  // namespace heed::mpi
