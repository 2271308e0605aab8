// N ranks as threads: each collective is a rendezvous, and the last rank to arrive does the
// work for all under the lock (the sum in rank order, the copies), so no rank leaves before
// every buffer holds the result.
#include <heed/communicator.hpp>
#include <heed/error.hpp>

#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace heed {

namespace {

class Rendezvous {
 public:
  explicit Rendezvous(int size) : size_(size), floats_(static_cast<size_t>(size)), bytes_(static_cast<size_t>(size)), roots_(static_cast<size_t>(size)) {}

  void all_reduce_sum(int rank, std::span<float> values) {
    meet([&] { floats_[static_cast<size_t>(rank)] = values; }, [this] {
      const std::span<float> first = floats_[0];
      for (size_t rank = 1; rank < floats_.size(); ++rank)
        if (floats_[rank].size() != first.size())
          fail_all("all_reduce_sum over {} floats on rank 0 but {} on rank {}", first.size(), floats_[rank].size(), rank);
      std::vector<float> total(first.begin(), first.end());
      for (size_t rank = 1; rank < floats_.size(); ++rank)
        for (size_t i = 0; i < total.size(); ++i) total[i] += floats_[rank][i];
      for (std::span<float> values : floats_) std::copy(total.begin(), total.end(), values.begin());
    });
  }

  void broadcast(int rank, std::span<std::byte> bytes, int root) {
    if (root < 0 || root >= size_) abort(rank, fmt::format("broadcast from rank {} in a group of {}", root, size_));
    meet([&] {
      bytes_[static_cast<size_t>(rank)] = bytes;
      roots_[static_cast<size_t>(rank)] = root;
    }, [this] {
      const int source = roots_[0];
      for (size_t rank = 0; rank < bytes_.size(); ++rank) {
        if (roots_[rank] != source) fail_all("broadcast from rank {} on rank 0 but from rank {} on rank {}", source, roots_[rank], rank);
        if (bytes_[rank].size() != bytes_[static_cast<size_t>(source)].size())
          fail_all("broadcast of {} bytes on rank {} but {} on rank {}", bytes_[static_cast<size_t>(source)].size(), source, bytes_[rank].size(), rank);
      }
      for (size_t rank = 0; rank < bytes_.size(); ++rank)
        if (static_cast<int>(rank) != source && !bytes_[rank].empty())
          std::memcpy(bytes_[rank].data(), bytes_[static_cast<size_t>(source)].data(), bytes_[rank].size());
    });
  }

  void barrier() {
    meet([] {}, [] {});
  }

  [[noreturn]] void abort(int rank, std::string_view reason) {
    std::string message = fmt::format("rank {} stopped the job: {}", rank, reason);
    {
      std::lock_guard lock(mutex_);
      if (!failure_) failure_ = message;
      changed_.notify_all();
    }
    throw Error(message);
  }

 private:
  // Every rank records its part; the last one to arrive runs `work` for all, then all leave.
  void meet(const std::function<void()>& record, const std::function<void()>& work) {
    std::unique_lock lock(mutex_);
    throw_if_failed();
    record();
    const int64_t generation = generation_;
    if (++arrived_ < size_) {
      changed_.wait(lock, [&] { return generation_ != generation || failure_; });
      if (generation_ == generation) throw_if_failed();
      return;
    }
    arrived_ = 0;
    try {
      work();
    } catch (const Error& error) {
      failure_ = error.what();
      changed_.notify_all();
      throw;
    }
    ++generation_;
    changed_.notify_all();
  }

  template <class... Args>
  [[noreturn]] void fail_all(fmt::format_string<Args...> format, Args&&... args) {
    fail("collectives do not match: {}", fmt::format(format, std::forward<Args>(args)...));
  }

  void throw_if_failed() const {
    if (failure_) throw Error(*failure_);
  }

  const int size_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
  int64_t generation_ = 0;
  std::optional<std::string> failure_;
  std::vector<std::span<float>> floats_;
  std::vector<std::span<std::byte>> bytes_;
  std::vector<int> roots_;
};

class ThreadRank final : public Communicator {
 public:
  ThreadRank(std::shared_ptr<Rendezvous> group, int rank, int size) : group_(std::move(group)), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void all_reduce_sum(std::span<float> values) override { group_->all_reduce_sum(rank_, values); }
  void broadcast(std::span<std::byte> bytes, int root) override { group_->broadcast(rank_, bytes, root); }
  void barrier() override { group_->barrier(); }
  [[noreturn]] void abort(std::string_view reason) override { group_->abort(rank_, reason); }

 private:
  std::shared_ptr<Rendezvous> group_;
  int rank_, size_;
};

}  // namespace

std::vector<std::unique_ptr<Communicator>> thread_group(int size) {
  if (size < 1) fail("thread_group: needs at least one rank, got {}", size);
  auto group = std::make_shared<Rendezvous>(size);
  std::vector<std::unique_ptr<Communicator>> ranks;
  for (int rank = 0; rank < size; ++rank) ranks.push_back(std::make_unique<ThreadRank>(group, rank, size));
  return ranks;
}

}  // namespace heed
