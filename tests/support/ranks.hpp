#pragma once
// Runs one body per rank of a thread group, each on its own thread, as mpirun runs processes.
#include <heed/communicator.hpp>
#include <heed/error.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace heed::test {

// Calls body(rank) on every rank's own thread; returns each rank's error message ("" for none).
inline std::vector<std::string> on_every_rank(std::vector<std::unique_ptr<Communicator>>& ranks,
                                              const std::function<void(Communicator&)>& body) {
  std::vector<std::string> errors(ranks.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ranks.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        body(*ranks[i]);
      } catch (const Error& error) {
        errors[i] = error.what();
      }
    });
  for (std::thread& thread : threads) thread.join();
  return errors;
}

}  // namespace heed::test
