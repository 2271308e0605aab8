#include <heed/train/stop_signal.hpp>

#include <atomic>
#include <csignal>

namespace heed::train {

namespace {

// The one piece of global mutable state in heed-train: a signal handler can reach nothing else,
// and it may only touch a lock-free atomic.
std::atomic<int> stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

extern "C" void record_stop(int signal) { stop_signal.store(signal, std::memory_order_relaxed); }

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = record_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the second Ctrl-C gets the default action: end now
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_requested() { return stop_signal.load(std::memory_order_relaxed); }

}  // namespace heed::train
